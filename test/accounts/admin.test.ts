import request from 'supertest';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roleStreamId } from '../../src/domain/roles/decide.js';
import { ALL_PERMISSIONS } from '../../src/domain/roles/permissions.js';
import {
  csrfFrom,
  login,
  registerAndConfirm,
  startHarness,
  submit,
  systemAdmin,
  type Agent,
  type Harness,
} from './harness.js';

let h: Harness;
let root: Agent;
beforeAll(async () => {
  h = await startHarness('admin');
  root = await systemAdmin(h);
});
afterAll(async () => {
  await h?.close();
});

const idOf = async (email: string) => (await h.module.accounts.context.userIdByEmail(email))!;

async function userAgent(email: string): Promise<Agent> {
  const agent = request.agent(h.app);
  await registerAndConfirm(h, agent, email);
  expect((await login(agent, email)).status).toBe(303);
  return agent;
}

async function adminAction(agent: Agent, userId: string, action: string) {
  const page = await agent.get(`/admin/users/${userId}`);
  return agent
    .post(`/admin/users/${userId}/${action}`)
    .type('form')
    .send({ _csrf: csrfFrom(page.text) });
}

describe('RBAC', () => {
  it('a user gets 403 on every admin page, even unknown ones', async () => {
    const agent = await userAgent('plain@example.test');
    for (const path of [
      '/admin',
      '/admin/users',
      '/admin/roles',
      '/admin/audit',
      '/admin/logs',
      '/admin/nothing',
    ]) {
      const res = await agent.get(path);
      expect(res.status, path).toBe(403);
    }
    const profile = await agent.get('/profile');
    const post = await agent
      .post(`/admin/users/${await idOf('plain@example.test')}/suspend`)
      .type('form')
      .send({ _csrf: csrfFrom(profile.text) });
    expect(post.status).toBe(403);
  });

  it('an anonymous visitor is sent to the login page', async () => {
    const res = await request(h.app).get('/admin/users');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?next=%2Fadmin%2Fusers');
  });

  it('a permission granted to the user role at /admin/roles opens that page to users', async () => {
    const agent = await userAgent('reader@example.test');
    expect((await agent.get('/admin/audit')).status).toBe(403);
    const rows = await h.sequelize.query<{ last_revision: number }>(
      "SELECT last_revision FROM roles WHERE name = 'user'",
      { type: QueryTypes.SELECT },
    );
    const res = await submit(root, '/admin/roles', '/admin/roles/user/permissions', {
      permissions: ['sync.use', 'admin.audit'],
      revision: String(rows[0]!.last_revision),
    });
    expect(res.status).toBe(303);
    expect((await agent.get('/admin/audit')).status).toBe(200);
    expect((await agent.get('/admin/users')).status).toBe(403);
    await submit(root, '/admin/roles', '/admin/roles/user/permissions', {
      permissions: ['sync.use'],
      revision: String(rows[0]!.last_revision + 1),
    });
    expect((await agent.get('/admin/audit')).status).toBe(403);
  });

  it('a stale role form is refused with a "changed meanwhile" message', async () => {
    const res = await submit(root, '/admin/roles', '/admin/roles/user/permissions', {
      permissions: ['sync.use'],
      revision: '0',
    });
    expect(res.status).toBe(303);
    const page = await root.get('/admin/roles');
    expect(page.text).toContain('Данные изменились');
  });

  it('the system role keeps every permission', async () => {
    const systemRole = async () => {
      const [role] = await h.sequelize.query<{ last_revision: number }>(
        "SELECT last_revision FROM roles WHERE name = 'system'",
        { type: QueryTypes.SELECT },
      );
      const granted = await h.sequelize.query<{ permission: string }>(
        "SELECT permission FROM role_permissions WHERE role = 'system'",
        { type: QueryTypes.SELECT },
      );
      return {
        revision: role!.last_revision,
        permissions: granted.map((g) => g.permission).sort(),
      };
    };
    const before = await systemRole();
    expect(before.permissions).toEqual([...ALL_PERMISSIONS].sort());
    // A current (not stale) form, so only the rule itself can refuse it.
    await submit(root, '/admin/roles', '/admin/roles/system/permissions', {
      permissions: ['admin.users'],
      revision: String(before.revision),
    });
    expect((await root.get('/admin/roles')).text).toContain(
      'У роли «Система» всегда есть все права',
    );
    expect(await systemRole()).toEqual(before);
    const events = await h.store.readStream(roleStreamId('system'));
    expect(events.map((e) => e.type)).not.toContain('RolePermissionsChanged');
  });
});

describe('admin users', () => {
  it('lists with search, role and status filters and pages', async () => {
    for (let i = 0; i < 3; i++)
      await registerAndConfirm(h, request.agent(h.app), `list${i}@example.test`);
    const all = await root.get('/admin/users?q=list');
    expect(all.status).toBe(200);
    expect(all.text).toContain('list0@example.test');
    expect(all.text).toContain('list2@example.test');
    const systems = await root.get('/admin/users?role=system');
    expect(systems.text).toContain('root@example.test');
    expect(systems.text).not.toContain('list0@example.test');
    const suspended = await root.get('/admin/users?status=suspended&q=list');
    expect(suspended.text).toContain('Никого не нашлось');
  });

  it('suspends (the user is signed out and cannot log in), then activates', async () => {
    const agent = await userAgent('victim@example.test');
    const id = await idOf('victim@example.test');
    expect((await adminAction(root, id, 'suspend')).status).toBe(303);
    expect((await agent.get('/profile')).status).toBe(303);
    const refused = await login(request.agent(h.app), 'victim@example.test');
    expect(refused.status).toBe(401);
    expect(refused.text).toContain('Учётная запись заблокирована');
    const events = await h.store.readStream(`user-${id}`);
    expect(events.at(-1)!.type).toBe('UserSuspended');
    expect(events.at(-1)!.metadata.actor).toBe(await idOf('root@example.test'));
    await adminAction(root, id, 'activate');
    expect((await login(request.agent(h.app), 'victim@example.test')).status).toBe(303);
  });

  it('keeps the flash for the page it belongs to, whatever other requests come first', async () => {
    await registerAndConfirm(h, request.agent(h.app), 'flash@example.test');
    const id = await idOf('flash@example.test');
    expect((await adminAction(root, id, 'suspend')).status).toBe(303);
    // the browser's favicon request, and a JSON answer, before the redirected page loads
    const icon = await root.get('/favicon.ico');
    expect(icon.status).toBe(204);
    expect(icon.headers['set-cookie']).toBeUndefined();
    const json = await root.get('/no/such/api').set('Accept', 'application/json');
    expect(json.status).toBe(404);
    const page = await root.get(`/admin/users/${id}`);
    expect(page.text).toContain('Пользователь заблокирован.');
    // shown once
    expect((await root.get(`/admin/users/${id}`)).text).not.toContain('Пользователь заблокирован.');
  });

  it('edits a user and changes the role; sends a reset link', async () => {
    await registerAndConfirm(h, request.agent(h.app), 'promote@example.test');
    const id = await idOf('promote@example.test');
    const res = await submit(root, `/admin/users/${id}`, `/admin/users/${id}/edit`, {
      email: 'promote@example.test',
      name: 'Новое имя',
      phone: '',
      role: 'admin',
    });
    expect(res.status).toBe(303);
    const detail = await root.get(`/admin/users/${id}`);
    expect(detail.text).toContain('Новое имя');
    const [row] = await h.sequelize.query<{ role: string }>('SELECT role FROM users WHERE id = ?', {
      replacements: [id],
      type: QueryTypes.SELECT,
    });
    expect(row!.role).toBe('admin');
    const before = h.mailer.outbox.length;
    await adminAction(root, id, 'reset-password');
    expect(h.mailer.outbox.length).toBe(before + 1);
    expect(h.mailer.lastTo('promote@example.test')!.text).toContain('/reset-password?user=');
  });

  it('an admin (not system) cannot touch a system account or grant the system role', async () => {
    await registerAndConfirm(h, request.agent(h.app), 'boss@example.test');
    const bossId = await idOf('boss@example.test');
    await submit(root, `/admin/users/${bossId}`, `/admin/users/${bossId}/edit`, {
      email: 'boss@example.test',
      name: '',
      phone: '',
      role: 'admin',
    });
    const boss = request.agent(h.app);
    await login(boss, 'boss@example.test');
    const rootId = await idOf('root@example.test');
    await adminAction(boss, rootId, 'suspend');
    expect((await boss.get(`/admin/users/${rootId}`)).text).toContain(
      'Системные учётные записи меняет только система',
    );
    const events = await h.store.readStream(`user-${rootId}`);
    expect(events.some((e) => e.type === 'UserSuspended')).toBe(false);
  });

  it('the last system account cannot be deleted, demoted or suspended', async () => {
    const rootId = await idOf('root@example.test');
    // another system account tries, since one cannot act on oneself
    await h.module.accounts.admin.createSystemAccount('second@example.test', 'Second-root-1');
    const second = request.agent(h.app);
    await login(second, 'second@example.test', 'Second-root-1');
    const secondId = await idOf('second@example.test');
    // with two, one may be demoted
    const demote = await submit(second, `/admin/users/${rootId}`, `/admin/users/${rootId}/edit`, {
      email: 'root@example.test',
      name: '',
      phone: '',
      role: 'admin',
    });
    expect(demote.status).toBe(303);
    // now `second` is the last one: the service refuses every way of removing it
    const actor = { userId: rootId, roles: ['system'] };
    await expect(h.module.accounts.admin.suspend(actor, secondId)).rejects.toThrow(
      'последняя системная',
    );
    await expect(h.module.accounts.admin.delete(actor, secondId)).rejects.toThrow(
      'последняя системная',
    );
    await expect(h.module.accounts.admin.edit(actor, secondId, { role: 'user' })).rejects.toThrow(
      'последняя системная',
    );
    // and over HTTP, removing oneself is refused too
    await expect(
      h.module.accounts.admin.delete({ userId: secondId, roles: ['system'] }, secondId),
    ).rejects.toThrow();
    const del = await submit(second, '/profile/delete', '/profile/delete', {
      password: 'Second-root-1',
    });
    expect(del.status).toBe(422);
    expect(del.text).toContain('последняя системная');
    expect(await h.module.accounts.context.systemAccounts()).toEqual([secondId]);
  });

  it('deletes a user: the row goes, the address is free again', async () => {
    await registerAndConfirm(h, request.agent(h.app), 'gone@example.test');
    const id = await idOf('gone@example.test');
    const second = request.agent(h.app);
    await login(second, 'second@example.test', 'Second-root-1');
    expect((await adminAction(second, id, 'delete')).status).toBe(303);
    expect((await second.get(`/admin/users/${id}`)).status).toBe(404);
    await registerAndConfirm(h, request.agent(h.app), 'gone@example.test');
    expect(await idOf('gone@example.test')).not.toBe(id);
  });
});

describe('audit and API log viewers', () => {
  it('shows events with filters and a detail page without personal data or secrets', async () => {
    const id = await idOf('victim@example.test');
    const list = await root.get(`/admin/audit?user=${id}&type=UserSuspended`);
    expect(list.status).toBe(200);
    expect(list.text).toContain('UserSuspended');
    expect(list.text).not.toContain('>UserRegistered</a>');
    const registered = await root.get(`/admin/audit?stream=user-${id}&type=UserRegistered`);
    const eventId = /href="\/admin\/audit\/([0-9a-f-]{36})"/.exec(registered.text)![1]!;
    const detail = await root.get(`/admin/audit/${eventId}`);
    expect(detail.status).toBe(200);
    expect(detail.text).toContain('[зашифровано]');
    expect(detail.text).not.toContain('victim@example.test');
    expect(detail.text).not.toContain('passwordHash');
    expect(detail.text).not.toContain('tokenHash');
    const today = new Date().toISOString().slice(0, 10);
    expect(
      (await root.get(`/admin/audit?from=${today}&to=${today}&type=UserSuspended`)).text,
    ).toContain('UserSuspended');
    expect((await root.get('/admin/audit?from=2000-01-01&to=2000-01-02')).text).toContain(
      'Событий нет',
    );
  });

  it('lists API requests with filters and pages', async () => {
    await h.sequelize.query(`CREATE TABLE IF NOT EXISTS api_request_log (
      id BIGINT AUTO_INCREMENT PRIMARY KEY, at DATETIME(3) NOT NULL, service VARCHAR(16) NOT NULL,
      method VARCHAR(16) NOT NULL, url VARCHAR(2048) NOT NULL, status INT NULL, error_code VARCHAR(64) NULL,
      duration_ms INT NULL, request_excerpt TEXT NULL, response_excerpt TEXT NULL, user_id VARCHAR(64) NULL)`);
    for (let i = 0; i < 60; i++)
      await h.sequelize.query(
        'INSERT INTO api_request_log (at, service, method, url, status, duration_ms, user_id) VALUES (UTC_TIMESTAMP(3), ?, ?, ?, ?, 12, ?)',
        {
          replacements: [
            i % 2 ? 'vk' : 'evotor',
            'GET',
            `/stores/${i}`,
            i === 7 ? 500 : 200,
            i < 10 ? 'u-1' : 'u-2',
          ],
        },
      );
    const first = await root.get('/admin/logs');
    expect(first.status).toBe(200);
    expect(first.text).toContain('Страница 1 из 2');
    const errors = await root.get('/admin/logs?status=errors');
    expect(errors.text).toContain('/stores/7');
    expect(errors.text).not.toContain('/stores/8<');
    const vkUser = await root.get('/admin/logs?service=vk&user=u-1');
    expect(vkUser.text).toContain('/stores/9');
    expect(vkUser.text).not.toContain('/stores/8');
    expect((await root.get('/admin/logs?date=2000-01-01')).text).toContain('Записей нет');
  });
});
