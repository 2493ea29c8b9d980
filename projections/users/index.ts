import type { RecordedEvent } from '../../src/application/ports/event-store.js';
import {
  KeyDestroyedError,
  type PersonalDataCipher,
} from '../../src/application/ports/personal-data-cipher.js';
import type { Projection, ProjectionTx } from '../../src/application/projections/projection.js';
import { USER_EVENT_TYPES, type UserEvent } from '../../src/domain/users/events.js';

type Sets = Record<string, string | number | Date | null>;

/**
 * Needs the cipher: it decrypts the personal data of the events into the table. Events of a
 * deleted user no longer decrypt; they are skipped, which is the point.
 */
export function usersProjection(cipher: PersonalDataCipher): Projection {
  return {
    name: 'users',
    version: 1,
    eventTypes: [...USER_EVENT_TYPES],
    tables: ['users', 'user_roles', 'deleted_users'],
    async handle(events, tx) {
      for (const event of events) await apply(event, tx, cipher);
    },
  };
}

async function apply(event: RecordedEvent, tx: ProjectionTx, cipher: PersonalDataCipher) {
  const e = event as unknown as UserEvent;
  const userId = event.streamId.replace(/^user-/, '');
  const gone = await tx.query('SELECT id FROM deleted_users WHERE id = ?', [userId]);
  if (gone.length > 0) return;
  const rows = await tx.query<{ last_revision: number }>(
    'SELECT last_revision FROM users WHERE id = ? FOR UPDATE',
    [userId],
  );
  if (rows[0] && Number(rows[0].last_revision) >= event.revision) return;
  const at = new Date(String(event.metadata.occurredAt ?? event.created.toISOString()));
  const dec = (v: string | null | undefined) =>
    v ? cipher.decrypt(userId, v) : Promise.resolve(null);
  const update = (sets: Sets) => {
    const cols = Object.keys(sets);
    return tx.query(
      `UPDATE users SET ${cols.map((c) => `${c} = ?, `).join('')}updated_at = ?, last_revision = ?
       WHERE id = ? AND last_revision < ?`,
      [...cols.map((c) => sets[c]), at, event.revision, userId, event.revision],
    );
  };
  try {
    switch (e.type) {
      case 'UserRegistered':
      case 'UserInvited': {
        const d = e.data;
        const registered = e.type === 'UserRegistered';
        await tx.query(
          `INSERT INTO users (id, email, name, phone, status, role, email_confirmed, invited,
             created_at, updated_at, last_revision)
           VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?)
           ON DUPLICATE KEY UPDATE email = VALUES(email), name = VALUES(name),
             status = VALUES(status), role = VALUES(role), invited = VALUES(invited),
             updated_at = VALUES(updated_at), last_revision = VALUES(last_revision)`,
          [
            userId,
            await dec(d.email),
            await dec(d.name),
            registered ? e.data.status : 'pending',
            d.roles[0] ?? 'user',
            registered && e.data.emailConfirmed ? 1 : 0,
            registered ? 0 : 1,
            at,
            at,
            event.revision,
          ],
        );
        await replaceRoles(tx, userId, d.roles);
        return;
      }
      case 'UserConfirmationRequested':
      case 'UserPasswordChanged':
      case 'UserPasswordResetRequested':
        return update({});
      case 'UserEmailConfirmed':
        return update({ email_confirmed: 1, status: 'active' });
      case 'UserLoggedIn':
        return update({ last_login_at: at });
      case 'UserActivated':
        return update({ status: 'active' });
      case 'UserSuspended':
        return update({ status: 'suspended' });
      case 'UserProfileEdited': {
        const sets: Sets = {};
        if (e.data.name !== undefined) sets.name = await dec(e.data.name);
        if (e.data.phone !== undefined) sets.phone = await dec(e.data.phone);
        if (e.data.email !== undefined) sets.email = await dec(e.data.email);
        return update(sets);
      }
      case 'UserInviteAccepted':
        return update({ status: 'active', email_confirmed: 1, invited: 0 });
      case 'UserRolesChanged':
        await update({ role: e.data.roles[0] ?? 'user' });
        return replaceRoles(tx, userId, e.data.roles);
      case 'UserTimeZoneChanged':
        return update({ time_zone: e.data.timeZone });
      case 'UserDeleted':
        await tx.query('DELETE FROM user_roles WHERE user_id = ?', [userId]);
        await tx.query('DELETE FROM users WHERE id = ?', [userId]);
        await tx.query('INSERT IGNORE INTO deleted_users (id, deleted_at) VALUES (?, ?)', [
          userId,
          at,
        ]);
        return;
      default: {
        const _never: never = e;
        return _never;
      }
    }
  } catch (error) {
    if (error instanceof KeyDestroyedError) return;
    throw error;
  }
}

async function replaceRoles(tx: ProjectionTx, userId: string, roles: string[]) {
  await tx.query('DELETE FROM user_roles WHERE user_id = ?', [userId]);
  for (const role of roles)
    await tx.query('INSERT INTO user_roles (user_id, role) VALUES (?, ?)', [userId, role]);
}
