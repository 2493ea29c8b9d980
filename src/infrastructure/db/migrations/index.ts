import type { Migration } from '../migrate.js';
import { events } from './0001-events.js';

/**
 * Every table's migration, in one list. Number ranges per area keep parallel work apart:
 * 0001–0019 foundation (events, checkpoints, locks), 0020–0039 external API log and clients,
 * 0040–0099 read models (projections), 0100+ accounts, sessions, web.
 */
export const migrations: Migration[] = [events];
