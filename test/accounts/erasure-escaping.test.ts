import request from 'supertest';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KeyDestroyedError,
  isCiphertext,
} from '../../src/application/ports/personal-data-cipher.js';
import { createLogger } from '../../src/infrastructure/logging/logger.js';
import { createWebApp } from '../../src/web/app.js';
import {
  login,
  PASSWORD,
  registerAndConfirm,
  startHarness,
  submit,
  systemAdmin,
  type Harness,
} from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('erasure');
});
afterAll(async () => {
  await h?.close();
});

const READ_TABLES = [
  'users',
  'user_roles',
  'roles',
  'role_permissions',
  'permissions',
  'audit_log',
  'deleted_users',
  'web_sessions',
];

async function tablesContaining(text: string): Promise<string[]> {
  const found: string[] = [];
  for (const table of READ_TABLES) {
    const rows = await h.sequelize.query<Record<string, unknown>>(`SELECT * FROM ${table}`, {
      type: QueryTypes.SELECT,
    });
    if (rows.some((row) => JSON.stringify(row).toLowerCase().includes(text.toLowerCase())))
      found.push(table);
  }
  return found;
}

describe('deleting an account erases the personal data', () => {
  it('leaves no email in the read tables and no decryptable event of the user', async () => {
    const agent = request.agent(h.app);
    await registerAndConfirm(h, agent, 'erase.me@example.test', 'Стираемый');
    await login(agent, 'erase.me@example.test');
    await submit(agent, '/profile/edit', '/profile/edit', {
      email: 'erase.me@example.test',
      name: 'Стираемый',
      phone: '+7 999 123-45-67',
    });
    const userId = (await h.module.accounts.context.userIdByEmail('erase.me@example.test'))!;
    expect(await tablesContaining('erase.me@example.test')).toEqual(['users']);

    // events hold ciphertext, never the plain address
    const events = await h.store.readStream(`user-${userId}`);
    expect(JSON.stringify(events)).not.toContain('erase.me@example.test');
    const registered = events.find((e) => e.type === 'UserRegistered')!.data as {
      email: string;
      passwordHash: string;
    };
    expect(isCiphertext(registered.email)).toBe(true);
    expect(await h.module.cipher.decrypt(userId, registered.email)).toBe('erase.me@example.test');

    const wrong = await submit(agent, '/profile/delete', '/profile/delete', {
      password: 'not-my-password-1',
    });
    expect(wrong.status).toBe(422);
    const res = await submit(agent, '/profile/delete', '/profile/delete', { password: PASSWORD });
    expect(res.status).toBe(303);
    expect((await agent.get('/profile')).status).toBe(303);

    expect(await tablesContaining('erase.me@example.test')).toEqual([]);
    expect(await tablesContaining('Стираемый')).toEqual([]);
    const ciphertexts = (await h.store.readStream(`user-${userId}`)).flatMap((e) =>
      Object.values(e.data as Record<string, unknown>).filter(isCiphertext),
    );
    expect(ciphertexts.length).toBeGreaterThanOrEqual(4);
    for (const c of ciphertexts)
      await expect(h.module.cipher.decrypt(userId, c)).rejects.toBeInstanceOf(KeyDestroyedError);
    expect((await login(request.agent(h.app), 'erase.me@example.test')).status).toBe(401);
  });

  it('replaying the events into empty tables does not bring the user back', async () => {
    await registerAndConfirm(h, request.agent(h.app), 'replayed@example.test');
    const userId = (await h.module.accounts.context.userIdByEmail('replayed@example.test'))!;
    await h.module.accounts.admin.createSystemAccount('eraser@example.test', PASSWORD);
    const eraser = (await h.module.accounts.context.userIdByEmail('eraser@example.test'))!;
    await h.module.accounts.admin.delete({ userId: eraser, roles: ['system'] }, userId);
    await h.sequelize.query('DELETE FROM users');
    await h.sequelize.query('DELETE FROM deleted_users');
    const { usersProjection } = await import('../../projections/users/index.js');
    const { projectionTx } = await import('../../src/infrastructure/projections/checkpoints.js');
    const all = (await h.store.readAll()).filter((e) => e.streamId.startsWith('user-'));
    await h.sequelize.transaction((t) =>
      usersProjection(h.module.cipher).handle(all, projectionTx(h.sequelize, t)),
    );
    expect(await tablesContaining('replayed@example.test')).toEqual([]);
    expect(await tablesContaining('eraser@example.test')).toEqual(['users']);
  });
});

describe('escaping', () => {
  const SCRIPT = '<script>alert("x")</script><b>bold</b>';

  it('script and HTML typed into text fields come back escaped', async () => {
    const agent = request.agent(h.app);
    await registerAndConfirm(h, agent, 'xss@example.test', SCRIPT);
    await login(agent, 'xss@example.test');
    const profile = await agent.get('/profile');
    expect(profile.text).not.toContain('<script>alert');
    expect(profile.text).toContain(
      '&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;',
    );

    const edit = await submit(agent, '/profile/edit', '/profile/edit', {
      email: 'xss@example.test',
      name: SCRIPT,
      phone: `"><img src=x onerror=alert(1)>`,
    });
    expect(edit.status).toBe(422);
    expect(edit.text).not.toContain('<img src=x');
    expect(edit.text).toContain('&#34;&gt;&lt;img src=x onerror=alert(1)&gt;');

    const reg = await submit(request.agent(h.app), '/register', '/register', {
      email: `"><svg onload=alert(1)>`,
      name: SCRIPT,
      password: 'x',
      password2: 'y',
    });
    expect(reg.status).toBe(422);
    expect(reg.text).not.toContain('<svg onload');
    expect(reg.text).not.toContain('<script>alert');

    const admin = await systemAdmin(h, 'xss-admin@example.test');
    const list = await admin.get('/admin/users?q=xss');
    expect(list.text).toContain('xss@example.test');
    expect(list.text).not.toContain('<script>alert');
    const search = await admin.get(`/admin/users?q=${encodeURIComponent(SCRIPT)}`);
    expect(search.text).not.toContain('<script>alert');
    const audit = await admin.get(`/admin/audit?stream=${encodeURIComponent(SCRIPT)}`);
    expect(audit.text).not.toContain('<script>alert');
  });
});

describe('sessions', () => {
  it('survive a restart of the web app (they live in MariaDB)', async () => {
    const agent = request.agent(h.app);
    await registerAndConfirm(h, agent, 'persist@example.test');
    const res = await login(agent, 'persist@example.test');
    const cookie = ([] as string[])
      .concat(res.headers['set-cookie'] as unknown as string[])
      .find((c) => c.startsWith('evosync.sid='))!
      .split(';')[0]!;
    // a second app built from scratch over the same database: nothing in memory is shared
    const { accountsModule } = await import('../../src/web/accounts/module.js');
    const { CommandHandler } = await import('../../src/application/commands/command-handler.js');
    const { ConsoleMailer } = await import('../../src/infrastructure/mail/mailers.js');
    const fresh = accountsModule({
      config: h.config,
      logger: createLogger({ level: 'silent' }),
      sequelize: h.sequelize,
      eventStore: h.store,
      commands: new CommandHandler(h.store),
      mail: new ConsoleMailer(),
    });
    const app = createWebApp({
      logger: createLogger({ level: 'silent' }),
      healthChecks: [],
      configure: fresh.configure,
      routers: fresh.routers,
    });
    const profile = await request(app).get('/profile').set('Cookie', cookie);
    expect(profile.status).toBe(200);
    expect(profile.text).toContain('persist@example.test');
  });
});
