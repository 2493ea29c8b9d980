import type { Projection, ProjectionTx } from '../../src/application/projections/projection.js';
import { ROLE_EVENT_TYPES, type RoleEvent } from '../../src/domain/roles/decide.js';
import { PERMISSIONS } from '../../src/domain/roles/permissions.js';

/** roles, role_permissions, and the permission names of the code (with their titles). */
export const rolesProjection: Projection = {
  name: 'roles',
  version: 1,
  eventTypes: [...ROLE_EVENT_TYPES],
  tables: ['roles', 'permissions', 'role_permissions'],
  async handle(events, tx) {
    for (const [name, title] of Object.entries(PERMISSIONS))
      await tx.query(
        'INSERT INTO permissions (name, title) VALUES (?, ?) ON DUPLICATE KEY UPDATE title = VALUES(title)',
        [name, title],
      );
    for (const event of events) {
      const e = event as unknown as RoleEvent;
      const rows = await tx.query<{ last_revision: number }>(
        'SELECT last_revision FROM roles WHERE name = ? FOR UPDATE',
        [e.data.name],
      );
      if (rows[0] && Number(rows[0].last_revision) >= event.revision) continue;
      switch (e.type) {
        case 'RoleDefined':
          await tx.query(
            `INSERT INTO roles (name, title, last_revision) VALUES (?, ?, ?)
             ON DUPLICATE KEY UPDATE title = VALUES(title), last_revision = VALUES(last_revision)`,
            [e.data.name, e.data.title, event.revision],
          );
          break;
        case 'RolePermissionsChanged':
          await tx.query('UPDATE roles SET last_revision = ? WHERE name = ?', [
            event.revision,
            e.data.name,
          ]);
          break;
        default: {
          const _never: never = e;
          throw new Error(`unhandled ${String(_never)}`);
        }
      }
      await replacePermissions(tx, e.data.name, e.data.permissions);
    }
  },
};

async function replacePermissions(tx: ProjectionTx, role: string, permissions: string[]) {
  await tx.query('DELETE FROM role_permissions WHERE role = ?', [role]);
  for (const p of permissions)
    await tx.query('INSERT INTO role_permissions (role, permission) VALUES (?, ?)', [role, p]);
}
