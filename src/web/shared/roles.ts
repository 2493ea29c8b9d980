import { DEFAULT_ROLES } from '../../domain/roles/permissions.js';

const DEFAULT_TITLES = new Map(DEFAULT_ROLES.map((r) => [r.name, r.title]));

/**
 * A role's Russian title: from the roles a page read (an admin may have named a new role),
 * else the built-in one's, else its code name. Views call it as `roleTitle(name, roles)`.
 */
export function roleTitle(
  name: string,
  known: ReadonlyArray<{ name: string; title: string }> = [],
): string {
  return known.find((r) => r.name === name)?.title || DEFAULT_TITLES.get(name) || name;
}

/** Who did something, in the audit log: the system, or a user's id. */
export const actorLabel = (actor: string): string => (actor === 'system' ? 'система' : actor);
