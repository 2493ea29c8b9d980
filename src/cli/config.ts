import type { Command } from 'commander';
import { QueryTypes, type Sequelize } from 'sequelize';
import { emailHash, normalizeEmail } from '../application/accounts/secrets.js';
import type { EventStore } from '../application/ports/event-store.js';
import { fold } from '../domain/shared/decider.js';
import { syncConfigDecider } from '../domain/sync-config/decide.js';
import {
  syncConfigStream,
  type FilterEntityType,
  type SyncConfigEvent,
  type SyncFilterRule,
  type SyncTask,
} from '../domain/sync-config/events.js';
import { filterRules, syncStatus, type SyncStatus } from '../domain/sync-config/state.js';
import { userStreamId } from '../domain/users/events.js';
import { emailReservationDecider, emailReservationStreamId } from '../domain/users/reservations.js';
import { loadConfig } from '../infrastructure/config/config.js';
import { createSequelize } from '../infrastructure/db/database.js';
import { createEventStore } from '../infrastructure/eventstore/create-event-store.js';
import { createLogger } from '../infrastructure/logging/logger.js';
import { asDomainEvents } from '../application/commands/load-state.js';

export interface FilterRuleView {
  id: string;
  name: string;
  /** the store of a group, the group of a product */
  parentId: string | null;
}

export interface FilterLevelView {
  /** `all`: no rules; `whitelist`: only the included pass; `blacklist`: all but the excluded */
  mode: 'all' | 'whitelist' | 'blacklist';
  included: FilterRuleView[];
  excluded: FilterRuleView[];
}

/** What `evosync config` prints: the successor of the old read_config.py output. */
export interface SyncConfigReport {
  userId: string;
  email: string | null;
  enabled: boolean;
  confirmed: boolean;
  confirmedAt: string | null;
  status: SyncStatus;
  priceMultiplier: string;
  tasks: Record<SyncTask, boolean>;
  stores: FilterLevelView;
  groups: FilterLevelView;
  products: FilterLevelView;
  /** revision of the `sync-config-{userId}` stream; -1 when the user never changed a setting */
  revision: number;
}

export interface ConfigDeps {
  store: EventStore;
  /** for the users read table (email ↔ id); without it only the event streams are used */
  sequelize?: Sequelize | null;
}

export class UnknownUserError extends Error {
  constructor(readonly who: string) {
    super(`Unknown user: ${who} (no account with this ${who.includes('@') ? 'email' : 'id'})`);
    this.name = 'UnknownUserError';
  }
}

/** Rows of the users read table; none when the table is not there yet (fresh database). */
async function usersRows(
  sequelize: Sequelize | null | undefined,
  where: 'id' | 'email',
  value: string,
): Promise<Array<{ id: string; email: string }>> {
  if (!sequelize) return [];
  try {
    return await sequelize.query<{ id: string; email: string }>(
      `SELECT id, email FROM users WHERE ${where} = ? LIMIT 1`,
      { replacements: [value], type: QueryTypes.SELECT },
    );
  } catch (error) {
    if ((error as { original?: { code?: string } }).original?.code === 'ER_NO_SUCH_TABLE')
      return [];
    throw error;
  }
}

/**
 * By email: the reservation stream first, because it is current the moment an account is
 * registered while the users table waits for its projection; then the table. By id: the user
 * must have an account stream, a users row or a sync configuration.
 */
async function resolveUser(
  who: string,
  deps: ConfigDeps,
): Promise<{ userId: string; email: string | null }> {
  const arg = who.trim();
  if (arg.includes('@')) {
    const email = normalizeEmail(arg);
    const reservation = await deps.store.readStream(emailReservationStreamId(emailHash(email)));
    const holder = fold(emailReservationDecider, reservation as never).holder;
    if (holder) return { userId: holder, email };
    const [row] = await usersRows(deps.sequelize, 'email', email);
    if (row) return { userId: row.id, email: row.email };
    throw new UnknownUserError(arg);
  }
  const [row] = await usersRows(deps.sequelize, 'id', arg);
  if (row) return { userId: row.id, email: row.email };
  const known =
    (await deps.store.readStream(userStreamId(arg), { maxCount: 1 })).length > 0 ||
    (await deps.store.readStream(syncConfigStream(arg), { maxCount: 1 })).length > 0;
  if (!known) throw new UnknownUserError(arg);
  return { userId: arg, email: null };
}

function level(rules: SyncFilterRule[], type: FilterEntityType): FilterLevelView {
  const view = (r: SyncFilterRule): FilterRuleView => ({
    id: r.entityId,
    name: r.entityName,
    parentId: r.parentEntityId,
  });
  const ofType = rules
    .filter((r) => r.entityType === type)
    .sort(
      (a, b) =>
        a.entityName.localeCompare(b.entityName, 'ru') || a.entityId.localeCompare(b.entityId),
    );
  const included = ofType.filter((r) => r.mode === 'include').map(view);
  const excluded = ofType.filter((r) => r.mode === 'exclude').map(view);
  const mode = included.length > 0 ? 'whitelist' : excluded.length > 0 ? 'blacklist' : 'all';
  return { mode, included, excluded };
}

/**
 * The user's sync configuration folded from its event stream, which is always current (the
 * sync_configs table may lag behind its projection).
 */
export async function readSyncConfig(who: string, deps: ConfigDeps): Promise<SyncConfigReport> {
  const { userId, email } = await resolveUser(who, deps);
  // Read here rather than through loadSyncConfig: the report also shows the stream revision.
  const events = await deps.store.readStream(syncConfigStream(userId));
  const state = fold(syncConfigDecider, asDomainEvents<SyncConfigEvent>(events));
  const rules = filterRules(state);
  return {
    userId,
    email,
    enabled: state.enabled,
    confirmed: state.confirmedAt !== null,
    confirmedAt: state.confirmedAt,
    status: syncStatus(state),
    priceMultiplier: state.priceMultiplier,
    tasks: { ...state.tasks },
    stores: level(rules, 'store'),
    groups: level(rules, 'group'),
    products: level(rules, 'product'),
    revision: events.length === 0 ? -1 : events[events.length - 1]!.revision,
  };
}

/** Prints the report as JSON; returns the exit code (1 for an unknown user). */
export async function printSyncConfig(
  who: string,
  deps: ConfigDeps,
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  try {
    out.write(`${JSON.stringify(await readSyncConfig(who, deps), null, 2)}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof UnknownUserError)) throw error;
    err.write(`${error.message}\n`);
    return 1;
  }
}

/** The command itself: connects from the configuration, reads, prints. Changes nothing. */
export async function runConfigCommand(
  who: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const config = loadConfig(env);
  const logger = createLogger({ level: 'warn' });
  const sequelize = createSequelize(config.DATABASE_URL);
  const store = await createEventStore(config.EVENTSTORE_URL, logger);
  try {
    return await printSyncConfig(who, { store, sequelize });
  } finally {
    await store.close();
    await sequelize.close();
  }
}

export function registerConfig(program: Command): void {
  program
    .command('config')
    .description("print a user's sync configuration as JSON, folded from its event stream")
    .argument('<user>', 'user email or id')
    .action(async (who: string) => {
      process.exitCode = await runConfigCommand(who);
    });
}
