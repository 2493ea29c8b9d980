import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryScheduler } from '../support/memory-scheduler.js';
import { CONNECTION_HEALTH_JOB } from '../../src/application/connections/index.js';
import { startConnectionHealth } from '../../src/main/worker-runtime.js';
import { ConnectionsApp, post, postJson, type Agent } from './harness.js';

let h: ConnectionsApp;
let owner: { userId: string; agent: Agent };
beforeAll(async () => {
  h = await ConnectionsApp.start('connections');
  owner = await h.owner('owner@example.test');
}, 60_000);
afterAll(async () => {
  await h?.close();
});

const eventsOf = async (type: string, userId: string) =>
  (await h.events([type])).filter((e) => e.stream.endsWith(userId));

describe('Evotor connection by hand', () => {
  it('saves a token, shows it connected without echoing it, and the check answers ok', async () => {
    const { userId, token } = h.evotor.admin.createUser();
    h.evotor.admin.seedCatalog(userId, { stores: 2, groups: 1, products: 3 });
    const saved = await post(owner.agent, '/connections/evotor', { token });
    expect(saved.status).toBe(303);
    const page = await owner.agent.get('/connections');
    expect(page.text).toContain('подключено');
    expect(page.text).not.toContain(token);

    const test = await postJson(owner.agent, '/connections/evotor/test');
    expect(test.status).toBe(200);
    expect(test.body).toMatchObject({ ok: true, details: { stores: 2 } });
    expect(test.body.message).toMatch(/работает/);
  });

  it('a wrong token is saved, and the check answers ok:false with a Russian reason', async () => {
    await post(owner.agent, '/connections/evotor', { token: 'wrong-token-123' });
    const test = await postJson(owner.agent, '/connections/evotor/test');
    expect(test.status).toBe(200);
    expect(test.body).toMatchObject({ ok: false, errorCode: 'unauthorized' });
    expect(test.body.message).toMatch(/Эвотор не принял токен/);
  });

  it('an empty token is refused next to the field', async () => {
    const res = await post(owner.agent, '/connections/evotor', { token: '  ' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Вставьте токен.');
  });

  it('disconnects; the check then answers 404', async () => {
    expect((await post(owner.agent, '/connections/evotor/disconnect')).status).toBe(303);
    expect((await eventsOf('EvotorDisconnected', owner.userId)).length).toBe(1);
    const test = await postJson(owner.agent, '/connections/evotor/test');
    expect(test.status).toBe(404);
    expect(test.body).toMatchObject({ error: 'not_connected' });
  });
});

describe('VK connection', () => {
  it('connects through the VK login: authorize → callback → choose the community', async () => {
    h.vk.admin.addUser({ id: 777, firstName: 'Анна', lastName: 'Смирнова' });
    h.vk.admin.addCommunity({ id: 5101, name: 'Лавка Анны', admins: [777] });
    h.vk.admin.addCommunity({ id: 5102, name: 'Чужое сообщество', admins: [] });
    h.vk.admin.setLoginUser(777);

    const start = await owner.agent.get('/connections/vk/oauth/start');
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.location!);
    expect(authorize.origin + authorize.pathname).toBe(`${h.vk.oauthUrl}/authorize`);
    const vkAnswer = await fetch(authorize, { redirect: 'manual' });
    expect(vkAnswer.status).toBe(302);
    const callback = new URL(vkAnswer.headers.get('location')!);
    expect(callback.pathname).toBe('/connections/vk/oauth/callback');

    const back = await owner.agent.get(callback.pathname + callback.search);
    expect(back.status).toBe(303);
    expect(back.headers.location).toBe('/connections/vk/choose');
    const choose = await owner.agent.get('/connections/vk/choose');
    expect(choose.text).toContain('Анна Смирнова');
    expect(choose.text).toContain('Лавка Анны');
    expect(choose.text).not.toContain('Чужое сообщество');

    const refused = await post(
      owner.agent,
      '/connections/vk/choose',
      { groupId: '5102' },
      '/connections/vk/choose',
    );
    expect(refused.status).toBe(422);
    const done = await post(
      owner.agent,
      '/connections/vk/choose',
      { groupId: '5101' },
      '/connections/vk/choose',
    );
    expect(done.status).toBe(303);
    const page = await owner.agent.get('/connections');
    expect(page.text).toContain('Лавка Анны');
    expect(page.text).toContain('Анна Смирнова');

    const test = await postJson(owner.agent, '/connections/vk/test');
    expect(test.body).toMatchObject({ ok: true, details: { groupId: 5101, albums: 0 } });
  });

  it('refuses a callback whose state is not the session’s', async () => {
    const res = await owner.agent.get('/connections/vk/oauth/callback?code=abc&state=forged');
    expect(res.status).toBe(303);
    expect((await owner.agent.get('/connections')).text).toContain('ссылка устарела');
  });

  it('connects a pasted token and community id after checking them, and disconnects', async () => {
    h.vk.admin.addShop({ token: 'vk-pasted-token-1', userId: 888, communityId: 5201 });
    const wrong = await post(owner.agent, '/connections/vk', {
      token: 'vk-unknown',
      groupId: '5201',
    });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('VK не принял токен');
    expect(wrong.text).not.toContain('vk-unknown');

    const ok = await post(owner.agent, '/connections/vk', {
      token: 'vk-pasted-token-1',
      groupId: 'club5201',
    });
    expect(ok.status).toBe(303);
    await h.settle();
    const [row] = await h.c.sequelize.query<{ group_id: number; token_kind: string }>(
      'SELECT group_id, token_kind FROM vk_connections WHERE user_id = ?',
      { replacements: [owner.userId], type: QueryTypes.SELECT },
    );
    expect(row).toMatchObject({ group_id: 5201, token_kind: 'user' });
    const stored = await h.events(['VkCommunityConnected']);
    expect(stored.some((e) => e.data.includes('vk-pasted-token-1'))).toBe(false);

    expect((await post(owner.agent, '/connections/vk/disconnect')).status).toBe(303);
    expect((await postJson(owner.agent, '/connections/vk/test')).status).toBe(404);
  });
});

describe('the health job', () => {
  it('records a health event only when the health changes', async () => {
    const { token } = h.evotor.admin.createUser();
    await post(owner.agent, '/connections/evotor', { token });
    await h.settle();
    let now = Date.now();
    const scheduler = new MemoryScheduler({ now: () => new Date(now) });
    await startConnectionHealth({ ...h.c, scheduler }, 5);
    const listed = await scheduler.listJobs({ name: CONNECTION_HEALTH_JOB, limit: 5, skip: 0 });
    expect(listed.total).toBe(1);
    // Each call moves the clock past the 5-minute interval: exactly one run of the job.
    const run = async () => {
      now += 5 * 60_000 + 1_000;
      expect(await scheduler.runPending()).toEqual({ ran: 1, failed: 0 });
    };

    await run();
    await run();
    let health = await eventsOf('EvotorHealthChanged', owner.userId);
    expect(health.map((e) => JSON.parse(e.data).healthy)).toEqual([true]);

    h.evotor.admin.revokeToken(token);
    await run();
    await run();
    health = await eventsOf('EvotorHealthChanged', owner.userId);
    expect(health.map((e) => JSON.parse(e.data).healthy)).toEqual([true, false]);
    await h.settle();
    expect((await owner.agent.get('/connections')).text).toContain('Эвотор не принял токен');
  });
});

describe('permissions', () => {
  it('refuses an account without sync.use with 403 (page and JSON)', async () => {
    const admin = await h.owner('admin@example.test', 'admin');
    expect((await admin.agent.get('/connections')).status).toBe(403);
    const json = await admin.agent
      .post('/connections/evotor/test')
      .set('Accept', 'application/json');
    expect(json.status).toBe(403);
  });
});
