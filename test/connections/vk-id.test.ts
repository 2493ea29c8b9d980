import { createHash } from 'node:crypto';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalMutex } from '../../src/application/ports/mutex.js';
import { VK_RECONNECT_REASON, VkTokens } from '../../src/application/connections/index.js';
import { defineSyncJobs, SYNC_JOBS } from '../../src/application/sync/jobs.js';
import { enqueueSyncJob } from '../../src/application/sync/sync-jobs.js';
import { loadConnections } from '../../src/application/sync/connections.js';
import { vkAccountStream } from '../../src/domain/connections/vk-account.js';
import { vkIdLogin } from '../../src/infrastructure/connections/index.js';
import { MariaDbMutex } from '../../src/infrastructure/db/mariadb-mutex.js';
import { createLogger } from '../../src/infrastructure/logging/logger.js';
import {
  defaultPhotoLoader,
  httpSyncGateways,
} from '../../src/infrastructure/sync/sync-adapters.js';
import { VkOAuthError } from '../../src/infrastructure/vk/errors.js';
import { VkClient } from '../../src/infrastructure/vk/vk-client.js';
import { exchangeVkIdCode } from '../../src/infrastructure/vk/vk-id.js';
import type { SimState } from '../../src/simulators/vk/state.js';
import { MemoryScheduler } from '../support/memory-scheduler.js';
import { startConnectionHealth } from '../../src/main/worker-runtime.js';
import { ConnectionsApp, post, postJson, type Agent } from './harness.js';

/**
 * VK ID on the simulators, the web as it runs and the worker's VK fetch job: sign-in with PKCE,
 * renewals across the access token's expiry, a refused renewal, and no secret in sight.
 * The VK simulator and the renewals share a clock the tests move forward (`later`).
 */
let h: ConnectionsApp;
let offsetMs = 0;
const clock = () => Date.now() + offsetMs;
const later = (minutes: number) => {
  offsetMs += minutes * 60_000;
};
const scheduler = new MemoryScheduler();
let vkTokens: VkTokens;

const simState = (): SimState =>
  (h.vk.admin as unknown as { core: { state: SimState } }).core.state;
const refreshes = () => h.vk.admin.vkIdRequests().filter((r) => r.grantType === 'refresh_token');

/** A second process's renewals: its own mutex connection, the same database. */
const tokensOfAnotherProcess = (vkIdUrl = h.c.config.VK_ID_URL) =>
  new VkTokens({
    store: h.c.eventStore,
    commands: h.c.commands,
    cipher: h.c.cipher,
    mutex: new MariaDbMutex(h.c.sequelize),
    vkId: vkIdLogin({ ...h.c.config, VK_ID_URL: vkIdUrl }, h.c.apiLog),
    settings: h.c.config,
    now: clock,
  });

beforeAll(async () => {
  h = await ConnectionsApp.start('vk-id', { vkNow: clock });
  vkTokens = tokensOfAnotherProcess();
  const logger = createLogger({ level: 'silent' });
  defineSyncJobs({
    store: h.c.eventStore,
    commands: h.c.commands,
    cipher: h.c.cipher,
    scheduler,
    mutex: new LocalMutex(),
    gateways: httpSyncGateways(h.c.config, h.c.apiLog),
    vkTokens,
    eligibleUsers: async () => [],
    settings: { categoryId: 40932, stockAmount: 1000 },
    defaultPhoto: defaultPhotoLoader('assets/default_product.png'),
    logger,
  });
}, 60_000);
afterAll(async () => {
  await h?.close();
});

/** The owner signs in through VK ID and picks the community; answers the URLs on the way. */
async function connectThroughVkId(
  agent: Agent,
  vk: { userId: number; groupId: number; name: string },
) {
  h.vk.admin.addUser({ id: vk.userId, firstName: 'Ольга', lastName: `Котова${vk.userId}` });
  h.vk.admin.addCommunity({ id: vk.groupId, name: vk.name, admins: [vk.userId] });
  h.vk.admin.setLoginUser(vk.userId);

  const start = await agent.get('/connections/vk/id/start');
  expect(start.status).toBe(302);
  const authorize = new URL(start.headers.location!);
  const vkAnswer = await fetch(authorize, { redirect: 'manual' });
  expect(vkAnswer.status).toBe(302);
  const callback = new URL(vkAnswer.headers.get('location')!);
  const back = await agent.get(callback.pathname + callback.search);
  expect(back.status).toBe(303);
  expect(back.headers.location).toBe('/connections/vk/choose');
  const done = await post(
    agent,
    '/connections/vk/choose',
    { groupId: String(vk.groupId) },
    '/connections/vk/choose',
  );
  expect(done.status).toBe(303);
  await h.settle();
  return { authorize, callback };
}

async function runVkFetch(userId: string) {
  await enqueueSyncJob(scheduler, SYNC_JOBS.vkFetch, userId);
  return scheduler.runPending();
}

const eventsOf = async (type: string, userId: string) =>
  (await h.events([type]))
    .filter((e) => e.stream === vkAccountStream(userId))
    .map((e) => JSON.parse(e.data) as Record<string, unknown>);

describe('signing in through VK ID', () => {
  let owner: { userId: string; agent: Agent };
  beforeAll(async () => {
    owner = await h.owner('vkid-owner@example.test');
  });

  it('sends PKCE (S256) and a state, exchanges the code with its device_id, and connects', async () => {
    const page = await owner.agent.get('/connections');
    expect(page.text).toContain('Войти через VK ID');

    const { authorize, callback } = await connectThroughVkId(owner.agent, {
      userId: 9101,
      groupId: 7101,
      name: 'Лавка Ольги',
    });
    expect(authorize.origin + authorize.pathname).toBe(`${h.vk.vkIdUrl}/authorize`);
    const sent = authorize.searchParams;
    expect(sent.get('response_type')).toBe('code');
    expect(sent.get('client_id')).toBe(h.vk.admin.vkIdApp.clientId);
    expect(sent.get('code_challenge_method')).toBe('s256');
    expect(sent.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sent.get('state')!.length).toBeGreaterThanOrEqual(32);
    expect(sent.get('scope')!.split(' ')).toEqual(['market', 'groups', 'photos']);
    expect(callback.pathname).toBe('/connections/vk/id/callback');
    expect(callback.searchParams.get('state')).toBe(sent.get('state'));

    // The simulator gave the code only against the verifier whose challenge was sent.
    expect(h.vk.admin.vkIdRequests()).toEqual([
      expect.objectContaining({ grantType: 'authorization_code', error: null }),
    ]);
    const [connected] = await eventsOf('VkCommunityConnected', owner.userId);
    expect(connected).toMatchObject({ groupId: 7101, tokenKind: 'user', vkUserId: 9101 });
    expect(connected!.vkId).toMatchObject({ deviceId: callback.searchParams.get('device_id') });

    const shown = await owner.agent.get('/connections');
    expect(shown.text).toContain('Лавка Ольги');
    const test = await postJson(owner.agent, '/connections/vk/test');
    expect(test.body).toMatchObject({ ok: true, details: { groupId: 7101 } });
  });

  it('refuses a callback whose state is not the one it sent, in Russian', async () => {
    await owner.agent.get('/connections/vk/id/start');
    const res = await owner.agent.get(
      '/connections/vk/id/callback?code=vk2.a.forged&state=forged&device_id=d-1',
    );
    expect(res.status).toBe(303);
    const page = await owner.agent.get('/connections');
    expect(page.text).toContain('Вход через VK ID не удался');
    expect(page.text).toContain('открыта не из EvoSync');
    // The forged code never reached VK ID.
    expect(h.vk.admin.vkIdRequests().some((r) => r.error !== null)).toBe(false);
  });

  it('VK ID refuses a code exchanged with another verifier than the challenge was made of', async () => {
    h.vk.admin.setLoginUser(9101);
    const verifier = 'v'.repeat(64);
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const url = new URL(`${h.vk.vkIdUrl}/authorize`);
    const redirectUri = 'http://127.0.0.1:9/cb';
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: h.vk.admin.vkIdApp.clientId,
      redirect_uri: redirectUri,
      state: 's'.repeat(32),
      code_challenge: challenge,
      code_challenge_method: 's256',
    }).toString();
    const answer = new URL((await fetch(url, { redirect: 'manual' })).headers.get('location')!);
    const exchange = (codeVerifier: string) =>
      exchangeVkIdCode({
        vkIdUrl: h.vk.vkIdUrl,
        clientId: h.vk.admin.vkIdApp.clientId,
        redirectUri,
        code: answer.searchParams.get('code')!,
        codeVerifier,
        deviceId: answer.searchParams.get('device_id')!,
        state: 's'.repeat(32),
      });
    await expect(exchange('w'.repeat(64))).rejects.toMatchObject({
      name: VkOAuthError.name,
      error: 'invalid_grant',
    });
  });
});

describe('renewing the access token in the worker', () => {
  let owner: { userId: string; agent: Agent };
  beforeAll(async () => {
    owner = await h.owner('vkid-renew@example.test');
    await connectThroughVkId(owner.agent, { userId: 9201, groupId: 7201, name: 'Сад и огород' });
  });

  it('keeps the VK fetch working across the token’s expiry, without the owner noticing', async () => {
    const before = refreshes().length;
    expect(await runVkFetch(owner.userId)).toEqual({ ran: 1, failed: 0 });
    expect(refreshes().length).toBe(before); // a fresh token is used as it is

    const [first] = await eventsOf('VkCommunityConnected', owner.userId);
    const firstToken = await h.c.cipher.decrypt(owner.userId, String(first!.tokenCiphertext));

    later(45); // 15 minutes left: inside the renewal margin
    expect(await runVkFetch(owner.userId)).toEqual({ ran: 1, failed: 0 });
    later(24 * 60); // a day later, both earlier access tokens long dead
    expect(await runVkFetch(owner.userId)).toEqual({ ran: 1, failed: 0 });

    expect(refreshes().slice(before)).toEqual([
      expect.objectContaining({ error: null }),
      expect.objectContaining({ error: null }),
    ]);
    const renewed = await eventsOf('VkTokenRefreshed', owner.userId);
    expect(renewed.length).toBe(2);
    expect((await eventsOf('VkHealthChanged', owner.userId)).some((e) => !e.healthy)).toBe(false);

    // Without the renewals the sync would have met VK's error 5.
    const stale = new VkClient({ apiUrl: h.vk.apiUrl, version: '5.199', token: firstToken });
    await expect(stale.call('groups.getById', { group_id: 7201 })).rejects.toMatchObject({
      code: 5,
    });
    const page = await owner.agent.get('/connections');
    expect(page.text).not.toContain('переподключить');
  });

  it('renews once when two processes need the token at the same moment', async () => {
    later(24 * 60);
    const before = refreshes().length;
    const tokens = await Promise.all([
      vkTokens.accessToken(owner.userId),
      tokensOfAnotherProcess().accessToken(owner.userId),
      tokensOfAnotherProcess().accessToken(owner.userId),
    ]);
    expect(refreshes().length - before).toBe(1);
    expect(new Set(tokens).size).toBe(1);
    expect(refreshes().every((r) => r.error === null)).toBe(true);
  });

  it('uses the token in hand while VK ID does not answer, and turns nothing red', async () => {
    const unanswered = tokensOfAnotherProcess('http://127.0.0.1:1');
    const before = await vkTokens.accessToken(owner.userId);
    later(45); // 15 minutes left: due for renewal, but VK ID is out of reach
    expect(await unanswered.accessToken(owner.userId)).toBe(before);
    later(20); // expired, still out of reach
    await expect(unanswered.accessToken(owner.userId)).rejects.toMatchObject({
      errorCode: 'unavailable',
    });
    expect((await eventsOf('VkHealthChanged', owner.userId)).some((e) => !e.healthy)).toBe(false);
    // VK ID back: the refresh token was never spent, so the renewal succeeds.
    const asked = refreshes().length;
    expect(await vkTokens.accessToken(owner.userId)).not.toBe(before);
    expect(refreshes().slice(asked)).toEqual([expect.objectContaining({ error: null })]);
  });

  it('renews in the middle of a job: one gateway, requests on both sides of the expiry', async () => {
    const { vk } = await loadConnections(h.c.eventStore, h.c.cipher, owner.userId, vkTokens);
    const gateway = httpSyncGateways(h.c.config, h.c.apiLog).vk(owner.userId, vk!);
    await gateway.fetchAlbums();
    const asked = refreshes().length;
    later(24 * 60); // a long push: the token it started with has expired
    expect(await gateway.fetchItems()).toEqual([]);
    expect(refreshes().slice(asked)).toEqual([expect.objectContaining({ error: null })]);
  });
});

describe('the health job', () => {
  it('renews an idle VK ID connection before its token expires', async () => {
    const owner = await h.owner('vkid-idle@example.test');
    h.vk.admin.setSettings({ vkIdAccessTokenSeconds: 600 }); // inside the renewal margin at once
    try {
      await connectThroughVkId(owner.agent, { userId: 9401, groupId: 7401, name: 'Тихая лавка' });
    } finally {
      h.vk.admin.setSettings({ vkIdAccessTokenSeconds: 3600 });
    }
    let now = Date.now();
    const healthScheduler = new MemoryScheduler({ now: () => new Date(now) });
    await startConnectionHealth({ ...h.c, scheduler: healthScheduler }, 15);
    const asked = refreshes().length;
    now += 16 * 60_000;
    expect(await healthScheduler.runPending()).toEqual({ ran: 1, failed: 0 });

    expect(refreshes().slice(asked)).toEqual([expect.objectContaining({ error: null })]);
    expect((await eventsOf('VkTokenRefreshed', owner.userId)).length).toBe(1);
    expect(await eventsOf('VkHealthChanged', owner.userId)).toEqual([
      expect.objectContaining({ healthy: true }),
    ]);
  });
});

describe('a refused renewal', () => {
  let owner: { userId: string; agent: Agent };
  beforeAll(async () => {
    owner = await h.owner('vkid-refused@example.test');
    await connectThroughVkId(owner.agent, { userId: 9301, groupId: 7301, name: 'Книжная полка' });
  });

  it('turns the connection red with «нужно переподключить VK», once, until the owner reconnects', async () => {
    h.vk.admin.revokeVkIdAccess(9301); // the owner took the app's access away in VK
    later(24 * 60);
    expect(await runVkFetch(owner.userId)).toEqual({ ran: 1, failed: 0 });

    const health = await eventsOf('VkHealthChanged', owner.userId);
    expect(health).toEqual([
      expect.objectContaining({
        healthy: false,
        reason: VK_RECONNECT_REASON,
        reconnectNeeded: true,
      }),
    ]);
    await h.settle();
    const page = await owner.agent.get('/connections');
    expect(page.text).toContain('нужно переподключить VK');
    expect(page.text).toContain('не работает');

    // Later jobs and checks do not ask VK ID again, nor record the refusal again.
    const asked = refreshes().length;
    expect(await runVkFetch(owner.userId)).toEqual({ ran: 1, failed: 0 });
    const test = await postJson(owner.agent, '/connections/vk/test');
    expect(test.body).toMatchObject({ ok: false, errorCode: 'reconnect' });
    expect(refreshes().length).toBe(asked);
    expect((await eventsOf('VkHealthChanged', owner.userId)).length).toBe(1);

    // Signing in again clears it.
    await connectThroughVkId(owner.agent, { userId: 9301, groupId: 7301, name: 'Книжная полка' });
    expect((await postJson(owner.agent, '/connections/vk/test')).body).toMatchObject({ ok: true });
    expect(await runVkFetch(owner.userId)).toEqual({ ran: 1, failed: 0 });
  });
});

describe('secrets', () => {
  it('no token, refresh token, code or verifier is stored in events, the API log or pages', async () => {
    await (h.c.apiLog as unknown as { flush?: () => Promise<void> }).flush?.();
    const state = simState();
    const secrets = [...state.tokens.keys(), ...state.vkId.grants.keys()].filter((t) =>
      t.startsWith('vk2.'),
    );
    expect(secrets.length).toBeGreaterThan(6);
    const events = JSON.stringify(await h.events([]));
    const log = JSON.stringify(
      await h.c.sequelize.query('SELECT * FROM api_request_log', { type: QueryTypes.SELECT }),
    );
    const owner = await h.owner('vkid-pages@example.test');
    const pages = (await owner.agent.get('/connections')).text;
    for (const secret of secrets) {
      expect(events).not.toContain(secret);
      expect(log).not.toContain(secret);
      expect(pages).not.toContain(secret);
    }
    // The exchanges were logged, with their secrets redacted.
    expect(log).toContain('oauth2/auth authorization_code');
    expect(log).toContain('code_verifier=[redacted]');
    expect(log).toContain('refresh_token=[redacted]');
    expect(log).not.toMatch(/code_verifier=[A-Za-z0-9_-]{43}/);
  });
});
