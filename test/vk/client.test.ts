import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  VkApiError,
  VkCaptchaError,
  VkClient,
  VkMarketApi,
  executeCode,
  vkCalls,
  type VkClientOptions,
} from '../../src/infrastructure/vk/index.js';
import { startVkSimulator, type VkSimulator } from '../../src/simulators/vk/index.js';
import { MemoryApiRequestLog } from './memory-log.js';

const GROUP = 9001;
const OWNER = -GROUP;
const TOKENS: string[] = [];
const log = new MemoryApiRequestLog();
let sim: VkSimulator;

beforeAll(async () => {
  sim = await startVkSimulator({ limits: { user: 50 } });
});
afterAll(() => sim.stop());

/** A fresh token (and so a fresh limiter) per test, administering the test community. */
function client(extra: Partial<VkClientOptions> = {}): VkClient {
  const token = `vk1.a.client-test-${TOKENS.length}-${Math.random().toString(36).slice(2)}`;
  TOKENS.push(token);
  sim.admin.addShop({ token, userId: 31, communityId: GROUP });
  return new VkClient({
    token,
    apiUrl: sim.apiUrl,
    version: '5.199',
    requestsPerSecond: 40,
    retry: { baseDelayMs: 10, maxDelayMs: 50 },
    log,
    userId: 'evosync-user-1',
    ...extra,
  });
}

const item = (n: number, name = `Товар ${n} для теста`) => ({
  name,
  description: 'Достаточно длинное описание',
  category_id: 40932,
  price: 10 + n,
  sku: `SKU-${n}`,
  stock_amount: 1000,
});

describe('VkClient against the simulator', () => {
  it('runs the market helpers and reads every item through execute paging', async () => {
    const api = new VkMarketApi(client());
    const albumId = await api.addAlbum(OWNER, 'Чай и кофе');
    const results = await api.client.batch(
      Array.from({ length: 450 }, (_, n) => vkCalls.add(OWNER, item(n))),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    const ids = results.map((r) =>
      r.ok ? (r.value as { market_item_id: number }).market_item_id : 0,
    );
    await api.addToAlbum(OWNER, ids.slice(0, 3), [albumId]);
    await api.edit(OWNER, ids[0] ?? 0, { price: 99.5, deleted: true });

    sim.admin.resetCallLog();
    const all = await api.getAllItems(OWNER);
    expect(all).toHaveLength(450);
    expect(new Set(all.map((i) => i.id)).size).toBe(450);
    const first = all.find((i) => i.id === ids[0]);
    expect(first).toMatchObject({
      availability: 1,
      price: { amount: '9950' },
      albums_ids: [albumId],
    });
    // one market.get alone for the count, then the two remaining pages in one execute
    expect(sim.admin.callLog()).toMatchObject({ httpRequests: 2, calls: { 'market.get': 3 } });

    expect(await api.getAllAlbums(OWNER)).toEqual([
      expect.objectContaining({ id: albumId, title: 'Чай и кофе', count: 3 }),
    ]);
    await api.delete(OWNER, ids[1] ?? 0);
    await api.restore(OWNER, ids[1] ?? 0);
    await api.removeFromAlbum(OWNER, ids[2] ?? 0, [albumId]);
    expect(sim.admin.item(ids[2] ?? 0)?.albumIds).toEqual([]);
    expect((await api.getGroup(GROUP)).id).toBe(GROUP);
    expect((await api.getCurrentUser()).id).toBe(31);
    expect((await api.getAdminGroups()).map((g) => g.id)).toContain(GROUP);
  });

  it('maps execute partial failures back to the right calls', async () => {
    const vk = client();
    const results = await vk.batch([
      vkCalls.add(OWNER, item(1)),
      vkCalls.add(OWNER, item(2, 'abc')),
      vkCalls.edit(OWNER, 987_654_321, { price: 1 }),
      vkCalls.add(OWNER, item(4)),
      vkCalls.addToAlbum(OWNER, [1], [424_242]),
    ]);
    expect(results.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual(['ok', 100, 1403, 'ok', 1402]);
    const failed = results[2];
    expect(failed?.ok === false && failed.error).toMatchObject({
      method: 'market.edit',
      kind: 'not_found',
    });
    expect(results[0]).toMatchObject({ ok: true, value: { market_item_id: expect.any(Number) } });
  });

  it('escapes VKScript string literals so any text arrives intact', async () => {
    const tricky = 'Кавычки " и \\ слэш,\nновая строка\tтаб, {скобки}, ]); API.x({}) \u2028 😀';
    const code = executeCode([vkCalls.add(OWNER, { ...item(1), description: tricky })]);
    expect(code.startsWith('return [API.market.add({')).toBe(true);
    const [result] = await client().batch([
      vkCalls.add(OWNER, { ...item(1), description: tricky }),
    ]);
    const id = result?.ok ? (result.value as { market_item_id: number }).market_item_id : 0;
    expect(sim.admin.item(id)?.description).toBe(tricky);
  });

  it('retries injected 6, 9 and 10 until the call goes through', async () => {
    const vk = client();
    sim.admin.addFault({ code: 9, count: 2, method: 'users.get' });
    sim.admin.addFault({ code: 10, count: 1, method: 'users.get' });
    sim.admin.addFault({ code: 6, count: 1, method: 'users.get' });
    sim.admin.resetCallLog();
    const users = await vk.call<Array<{ id: number }>>('users.get');
    expect(users[0]?.id).toBe(31);
    expect(sim.admin.callLog()).toMatchObject({ httpRequests: 5, errors: { 6: 1, 9: 2, 10: 1 } });
  });

  it('retries transient failures of single calls inside an execute', async () => {
    const vk = client();
    sim.admin.addFault({ code: 9, count: 1, method: 'market.edit' });
    const [added] = await vk.batch([vkCalls.add(OWNER, item(7))]);
    const id = added?.ok ? (added.value as { market_item_id: number }).market_item_id : 0;
    const results = await vk.batch([
      vkCalls.edit(OWNER, id, { price: 5 }),
      vkCalls.get(OWNER, 0, 1),
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    expect(sim.admin.item(id)?.price).toBe(5);
  });

  it('gives up after the configured retries with the transient error', async () => {
    const vk = client({ retry: { retries: 2, baseDelayMs: 5, maxDelayMs: 10 } });
    sim.admin.addFault({ code: 10, count: 5, method: 'users.get' });
    const error = await vk.call('users.get').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VkApiError);
    expect(error).toMatchObject({ code: 10, kind: 'transient' });
    sim.admin.clearFaults();
  });

  it('surfaces a captcha as VkCaptchaError with VK captcha page, without retrying', async () => {
    const vk = client();
    sim.admin.addFault({ code: 14, count: 1, method: 'market.getAlbums' });
    sim.admin.resetCallLog();
    const error = await vk.call('market.getAlbums', { owner_id: OWNER }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VkCaptchaError);
    const captcha = error as VkCaptchaError;
    expect(captcha.redirectUri).toMatch(/^https:\/\/id\.vk\.com\/not_robot_captcha\?/);
    expect([captcha.captchaSid, captcha.captchaImg]).toEqual(['', '']);
    expect(sim.admin.callLog().httpRequests).toBe(1);
  });

  it('reads the old captcha too: sid and picture, no page', async () => {
    const vk = client();
    sim.admin.addFault({ code: 14, count: 1, method: 'market.getAlbums', captcha: 'legacy' });
    const error = await vk.call('market.getAlbums', { owner_id: OWNER }).catch((e: unknown) => e);
    const captcha = error as VkCaptchaError;
    expect(captcha.captchaSid).not.toBe('');
    expect(captcha.captchaImg).toContain(captcha.captchaSid);
    expect(captcha.redirectUri).toBeNull();
  });

  it('reports a bad token as an auth error', async () => {
    const vk = new VkClient({ token: 'not-registered', apiUrl: sim.apiUrl, version: '5.199', log });
    TOKENS.push('not-registered');
    await expect(vk.call('users.get')).rejects.toMatchObject({ code: 5, kind: 'auth' });
  });

  it('logs every request with its label and never the token', () => {
    expect(log.entries.length).toBeGreaterThan(20);
    expect(log.entries.map((e) => e.method)).toContain('POST execute(25 calls: market.add×25)');
    expect(log.entries.map((e) => e.method)).toContain(
      'POST execute(5 calls: market.add×3, market.edit×1, market.addToAlbum×1)',
    );
    expect(log.entries.some((e) => e.errorCode === '9' && e.status === 200)).toBe(true);
    for (const entry of log.entries) {
      const text = JSON.stringify(entry);
      for (const token of TOKENS) expect(text).not.toContain(token);
      expect(entry.service).toBe('vk');
    }
    const execute = log.entries.find((e) => e.method.startsWith('POST execute'));
    expect(execute?.requestExcerpt).toContain('API.market');
  });
});
