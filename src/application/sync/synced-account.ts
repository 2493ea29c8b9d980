import { SYSTEM_ROLE } from '../../domain/roles/permissions.js';
import { userDecider } from '../../domain/users/decide.js';
import { userStreamId } from '../../domain/users/events.js';
import type { UserState } from '../../domain/users/state.js';
import { loadState } from '../commands/load-state.js';
import type { EventStore } from '../ports/event-store.js';

/** The role of shop owners, the only accounts whose shops are synced. */
export const SYNCED_ROLE = 'user';
/** Roles that take an account out of the sync even when it also has `user`. */
const STAFF_ROLES: readonly string[] = [SYSTEM_ROLE, 'admin'];

/**
 * Only shop owners are synced: an account with role `user` and neither `system` nor `admin`
 * (the old system's last fix — staff accounts connected for a test must never touch a shop).
 * Other custom roles beside `user` keep the sync.
 */
export function isSyncedAccount(user: UserState): boolean {
  return (
    user.exists &&
    !user.deleted &&
    user.roles.includes(SYNCED_ROLE) &&
    !user.roles.some((role) => STAFF_ROLES.includes(role))
  );
}

/**
 * Read from the user's own stream, not the `users` table: a job runs right after a role change
 * or a registration, before the read model may have caught up.
 */
export async function loadIsSyncedAccount(store: EventStore, userId: string): Promise<boolean> {
  return isSyncedAccount(await loadState(store, userDecider, userStreamId(userId)));
}
