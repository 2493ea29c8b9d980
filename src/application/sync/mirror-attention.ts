import { mirrorAttention, type MirrorAttention } from '../../domain/mirror/attention.js';
import { taskRuns } from '../../domain/sync-config/state.js';
import type { EventStore } from '../ports/event-store.js';
import { loadMirror, loadObservedVk, loadSyncConfig, ownershipOf } from './desired-state.js';

/**
 * Whether the periodic pipeline should push for this user although Evotor may not have
 * changed: failures whose retry is due, open create requests, or drift VK showed. Reads the
 * user's sync config, mirror and VK observation streams only, never the catalogs.
 */
export async function mirrorNeedsPush(
  store: EventStore,
  userId: string,
  now: Date,
): Promise<MirrorAttention | null> {
  const config = await loadSyncConfig(store, userId);
  if (!taskRuns(config, 'mirror_to_vk')) return null;
  const [mirror, observed] = await Promise.all([
    loadMirror(store, userId),
    loadObservedVk(store, userId),
  ]);
  return mirrorAttention(mirror.state, observed, ownershipOf(config), now.getTime());
}
