import { describe, expect, it } from 'vitest';
import { SequelizeSessionStore } from '../../src/web/auth/session-store.js';
import { useMigratedDatabase } from '../support/mariadb.js';

const db = useMigratedDatabase('web_sessions');

describe('sessions across web processes', () => {
  const get = (store: SequelizeSessionStore, sid: string) =>
    new Promise<unknown>((resolve, reject) =>
      store.get(sid, (error, value) => (error ? reject(error as Error) : resolve(value))),
    );
  const set = (store: SequelizeSessionStore, sid: string, data: object) =>
    new Promise<void>((resolve, reject) =>
      store.set(sid, data as never, (error) => (error ? reject(error as Error) : resolve())),
    );
  const destroy = (store: SequelizeSessionStore, sid: string) =>
    new Promise<void>((resolve) => store.destroy(sid, () => resolve()));

  it('shows one process what another wrote, at once (a flash message, a sign-out)', async () => {
    const a = new SequelizeSessionStore(db.sequelize);
    const b = new SequelizeSessionStore(db.sequelize);
    const cookie = { originalMaxAge: 3_600_000, expires: new Date(Date.now() + 3_600_000) };
    await set(a, 'sid-x', { cookie, passport: { user: 'u1' } });
    expect(await get(b, 'sid-x')).toMatchObject({ passport: { user: 'u1' } });
    // the POST went to A, the redirect's GET goes to B right after
    await set(a, 'sid-x', {
      cookie,
      passport: { user: 'u1' },
      flash: [{ kind: 'success', message: 'Сохранено' }],
    });
    expect(await get(b, 'sid-x')).toMatchObject({ flash: [{ message: 'Сохранено' }] });
    await destroy(a, 'sid-x');
    expect(await get(b, 'sid-x')).toBeNull();
  });

  it('answers no session for an expired row', async () => {
    const a = new SequelizeSessionStore(db.sequelize);
    const past = new Date(Date.now() - 60_000);
    await set(a, 'sid-old', {
      cookie: { originalMaxAge: 1, expires: past },
      passport: { user: 'u2' },
    });
    expect(await get(a, 'sid-old')).toBeNull();
  });
});
