import { describe, expect, it } from 'vitest';
import type { Sequelize } from 'sequelize';
import { SequelizeSessionStore } from '../../src/web/auth/session-store.js';
import { RequestReads } from '../../src/web/request-reads.js';
import { setCheckpoint as setCheckpointRow, useMigratedDatabase } from '../support/mariadb.js';

const db = useMigratedDatabase('request_reads');
const setCheckpoint = (name: string, commit: number) =>
  setCheckpointRow(db.sequelize, name, commit);
const setSession = (sid: string, data: object, expiresInS = 3600) =>
  db.sequelize.query(
    `INSERT INTO web_sessions (sid, user_id, expires_at, data)
     VALUES (?, NULL, UTC_TIMESTAMP() + INTERVAL ? SECOND, ?)
     ON DUPLICATE KEY UPDATE expires_at = VALUES(expires_at), data = VALUES(data)`,
    { replacements: [sid, expiresInS, JSON.stringify(data)] },
  );

/**
 * RequestReads over a Sequelize whose queries are counted, and whose answers can be held back
 * after the database gave them: a batch then stays "under way" for as long as the test wants.
 */
function counted() {
  let queries = 0;
  let hold: Promise<void> | null = null;
  const proxy = new Proxy(db.sequelize, {
    get(target, prop, receiver) {
      if (prop !== 'query') return Reflect.get(target, prop, receiver) as unknown;
      return async (...args: unknown[]) => {
        queries++;
        const result: unknown = await (target.query as (...a: unknown[]) => Promise<unknown>)(
          ...args,
        );
        if (hold) await hold;
        return result;
      };
    },
  });
  return {
    reads: new RequestReads(proxy),
    queries: () => queries,
    holdAnswers() {
      let release!: () => void;
      hold = new Promise((resolve) => (release = resolve));
      return () => {
        hold = null;
        release();
      };
    },
  };
}

/** A request as the stamp middleware sees it: any object, stamped on arrival. */
function arrive(reads: RequestReads): object {
  const req = {};
  reads.stamp(req as never, {} as never, () => undefined);
  return req;
}

describe('RequestReads', () => {
  it('reads each session row and the version of the read tables', async () => {
    await setCheckpoint('users', 3);
    await setSession('sid-a', { n: 'a' });
    await setSession('sid-old', { n: 'old' }, -10);
    const { reads } = counted();
    expect(JSON.parse((await reads.session('sid-a'))!)).toEqual({ n: 'a' });
    expect(await reads.session('sid-old')).toBeNull();
    expect(await reads.session('no-such-sid')).toBeNull();
    expect(await reads.of(arrive(reads))).toMatch(/^users:1:live:3:3$/);
  });

  it('answers requests that arrive together with one query, each with its own row', async () => {
    await setSession('sid-1', { n: 1 });
    await setSession('sid-2', { n: 2 });
    const c = counted();
    const requests = Array.from({ length: 10 }, () => arrive(c.reads));
    const rows = await Promise.all(
      requests.map((req, i) =>
        c.reads.session(`sid-${(i % 2) + 1}`).then(async (row) => {
          // the version comes from the batch that read the session: no second query
          await c.reads.of(req);
          return JSON.parse(row!) as { n: number };
        }),
      ),
    );
    expect(rows.map((r) => r.n)).toEqual([1, 2, 1, 2, 1, 2, 1, 2, 1, 2]);
    expect(c.queries()).toBe(1);
  });

  it('never answers a request with a read begun before it arrived', async () => {
    await setCheckpoint('users', 10);
    await setSession('sid-f', { step: 'before' });
    const c = counted();
    const release = c.holdAnswers();
    const early = arrive(c.reads);
    const earlyVersion = c.reads.of(early);
    const earlySession = c.reads.session('sid-f');
    // wait until the first batch has read the database (its answer is held back)
    await expect.poll(() => c.queries()).toBe(1);
    // another process writes; then a request arrives while the first read is still under way
    await setCheckpoint('users', 11);
    await setSession('sid-f', { step: 'after' });
    const late = arrive(c.reads);
    const lateVersion = c.reads.of(late);
    const lateSession = c.reads.session('sid-f');
    release();
    expect(await earlyVersion).toContain('users:1:live:10:10');
    expect(JSON.parse((await earlySession)!)).toEqual({ step: 'before' });
    expect(await lateVersion).toContain('users:1:live:11:11');
    expect(JSON.parse((await lateSession)!)).toEqual({ step: 'after' });
    // the late request's session and version came in one query
    expect(c.queries()).toBe(2);
    // one version per request: asked again, the request gets the same answer
    expect(await c.reads.of(late)).toBe(await lateVersion);
  });

  it('reads anew for an unstamped request and passes a database error to every waiter', async () => {
    const c = counted();
    await c.reads.of({});
    await c.reads.of({});
    expect(c.queries()).toBe(2);
    const broken = new RequestReads({
      query: () => Promise.reject(new Error('connection lost')),
    } as unknown as Sequelize);
    const waiting = [broken.session('x'), broken.of(arrive(broken))];
    for (const w of waiting) await expect(w).rejects.toThrow('connection lost');
    // the next request tries again instead of finding a broken batch
    await expect(broken.session('y')).rejects.toThrow('connection lost');
  });
});

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
    const a = new SequelizeSessionStore(db.sequelize, new RequestReads(db.sequelize));
    const b = new SequelizeSessionStore(db.sequelize, new RequestReads(db.sequelize));
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
});
