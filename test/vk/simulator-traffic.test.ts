import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startVkSimulator, type VkSimulator } from '../../src/simulators/vk/index.js';
import { goodItem, makePng, vkPost, type Loose } from './helpers.js';

const TOKEN = 'sim-traffic-user-token';
const GROUP_TOKEN = 'sim-traffic-community-token';
const OWNER = -8001;
let sim: VkSimulator;

beforeAll(async () => {
  sim = await startVkSimulator();
});
afterAll(() => sim.stop());
beforeEach(() => {
  sim.admin.reset();
  sim.admin.setLimits({ user: 1000, community: 1000 });
  sim.admin.addShop({ token: TOKEN, userId: 21, communityId: 8001 });
  sim.admin.addToken({ token: GROUP_TOKEN, kind: 'community', communityIds: [8001] });
});

const call = (method: string, params: Record<string, string | number>, token = TOKEN) =>
  vkPost(sim.apiUrl, method, params, token);

describe('VK simulator: execute', () => {
  it('runs a list of calls, with false and execute_errors for the failed ones', async () => {
    const code = `return [
      API.market.add({owner_id: ${OWNER}, name: "Чай \\"Слон\\"", description: "Описание длинное", category_id: 1, price: 10}),
      API.market.add({"owner_id": ${OWNER}, "name": "abc", "description": "Описание длинное", "category_id": 1}),
      API.market.edit({owner_id: ${OWNER}, item_id: 1, price: 5}),
      API.market.getAlbums({owner_id: ${OWNER}})
    ];`;
    const answer = await call('execute', { code });
    expect(answer.response).toHaveLength(4);
    expect(answer.response[0]).toEqual({ market_item_id: expect.any(Number) });
    expect(answer.response[1]).toBe(false);
    expect(answer.response[2]).toBe(false);
    expect(answer.response[3]).toEqual({ count: 0, items: [] });
    expect(answer.execute_errors).toEqual([
      { method: 'market.add', error_code: 100, error_msg: expect.stringContaining('name') },
      { method: 'market.edit', error_code: 1403, error_msg: 'Item not found' },
    ]);
    expect(sim.admin.snapshot().items.map((i) => i.title)).toEqual(['Чай "Слон"']);
    const log = sim.admin.callLog();
    expect(log.httpRequests).toBe(1);
    expect(log.calls).toMatchObject({ execute: 1, 'market.add': 2, 'market.edit': 1 });
  });

  it('accepts a single call and refuses more than 25 calls or other code', async () => {
    const single = await call('execute', {
      code: `return API.market.get({owner_id: ${OWNER}, count: 10});`,
    });
    expect(single.response).toEqual({ count: 0, items: [] });
    const many = Array.from({ length: 26 }, () => `API.users.get({})`).join(',');
    expect((await call('execute', { code: `return [${many}];` })).error.error_code).toBe(13);
    expect((await call('execute', { code: 'var a = 1; return a;' })).error.error_code).toBe(12);
  });
});

describe('VK simulator: photo upload', () => {
  async function upload(file: Buffer, field = 'file'): Promise<Record<string, unknown>> {
    const server = (await call('market.getProductPhotoUploadServer', { group_id: 8001 })).response;
    expect(server.upload_url).toContain(`http://127.0.0.1:${sim.port}/`);
    const form = new FormData();
    form.set(field, new Blob([file], { type: 'image/png' }), 'photo.png');
    const res = await fetch(server.upload_url, { method: 'POST', body: form });
    return (await res.json()) as Record<string, unknown>;
  }

  it('accepts the default product photo and saves it for market.add', async () => {
    const raw = await upload(readFileSync('assets/default_product.png'));
    expect(raw.error).toBeUndefined();
    const saved = await call('market.saveProductPhoto', { upload_response: JSON.stringify(raw) });
    const photoId = saved.response.photo_id as number;
    const added = await call('market.add', { ...goodItem(OWNER), main_photo_id: photoId });
    expect(sim.admin.item(added.response.market_item_id)?.mainPhotoId).toBe(photoId);
    const reused = await call('market.saveProductPhoto', { upload_response: JSON.stringify(raw) });
    expect(reused.error.error_code).toBe(100);
  });

  it('rejects images under 400×400 and files that are not images', async () => {
    expect(String((await upload(makePng(399, 600))).error)).toContain('min size 400x400');
    expect(String((await upload(Buffer.from('not an image at all'))).error)).toContain(
      'not a PNG or JPEG',
    );
    expect(String((await upload(makePng(500, 500), 'photo')).error)).toContain('empty');
  });
});

describe('VK simulator: rate limits and faults', () => {
  it('answers 6 to a burst over 3 requests per second on a user token', async () => {
    sim.admin.setLimits({ user: 3, community: 20 });
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => call('market.get', { owner_id: OWNER })),
    );
    const codes = answers.map((a) => a.error?.error_code ?? 0);
    expect(codes.filter((c) => c === 0)).toHaveLength(3);
    expect(codes.filter((c) => c === 6)).toHaveLength(5);
    const community = await Promise.all(
      Array.from({ length: 8 }, () => call('market.get', { owner_id: OWNER }, GROUP_TOKEN)),
    );
    expect(community.every((a) => a.response)).toBe(true);
    expect(sim.admin.callLog().errors['6']).toBe(5);
  });

  it('injects the next N faults, per method too, and a captcha as VK sends it today', async () => {
    sim.admin.addFault({ code: 9, count: 2 });
    sim.admin.addFault({ code: 14, count: 1, method: 'market.add' });
    expect((await call('users.get', {})).error.error_code).toBe(9);
    expect((await call('users.get', {})).error.error_code).toBe(9);
    expect((await call('users.get', {})).response).toHaveLength(1);
    // A captcha for a call inside execute refuses the whole request, with the captcha page.
    const captcha = await call('execute', {
      code: `return [API.market.add(${JSON.stringify(goodItem(OWNER))})];`,
    });
    expect(captcha.error).toMatchObject({ error_code: 14, error_msg: 'Captcha needed' });
    expect(captcha.error.redirect_uri).toMatch(
      /^https:\/\/id\.vk\.com\/not_robot_captcha\?domain=vk\.com&session_token=[^&]+/,
    );
    expect(captcha.error.remixstlid).toEqual(expect.any(Number));
    expect(captcha.error).not.toHaveProperty('captcha_sid');
    expect(captcha.error).not.toHaveProperty('captcha_img');

    sim.admin.addFault({ code: 14, count: 2 });
    const [one, two] = [await call('users.get', {}), await call('users.get', {})];
    expect(one.error.redirect_uri).not.toBe(two.error.redirect_uri);
  });

  it('can still send the old captcha, with sid and image', async () => {
    sim.admin.addFault({ code: 14, count: 1, captcha: 'legacy' });
    const top = await call('users.get', {});
    expect(top.error).toMatchObject({ error_code: 14, captcha_sid: expect.any(String) });
    expect(top.error.captcha_img).toContain(top.error.captcha_sid);
    expect(top.error).not.toHaveProperty('redirect_uri');
  });

  it('fails a seeded random fraction of requests the same way every run', async () => {
    const run = async () => {
      sim.admin.setRandomFaults({ fraction: 0.5, codes: [10], seed: 42 });
      const codes: number[] = [];
      for (let i = 0; i < 20; i++) codes.push((await call('users.get', {})).error?.error_code ?? 0);
      return codes;
    };
    const first = await run();
    expect(first.filter((c) => c === 10).length).toBeGreaterThan(3);
    expect(first.filter((c) => c === 0).length).toBeGreaterThan(3);
    expect(await run()).toEqual(first);
  });
});

describe('VK simulator: OAuth authorization code', () => {
  it('redirects back with code and state, then exchanges the code once for a token', async () => {
    sim.admin.setOAuthApp({ clientId: '777', clientSecret: 'app-secret' });
    sim.admin.setLoginUser(21);
    const redirectUri = 'http://127.0.0.1:9/vk/callback';
    const authorize = new URL(`${sim.oauthUrl}/authorize`);
    Object.entries({
      client_id: '777',
      redirect_uri: redirectUri,
      scope: 'market,groups,photos,offline',
      response_type: 'code',
      state: 'xyz',
    }).forEach(([k, v]) => authorize.searchParams.set(k, v));
    const res = await fetch(authorize, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location') ?? '');
    expect(`${back.origin}${back.pathname}`).toBe(redirectUri);
    expect(back.searchParams.get('state')).toBe('xyz');
    const code = back.searchParams.get('code') ?? '';

    const exchange = () =>
      fetch(
        `${sim.oauthUrl}/access_token?client_id=777&client_secret=app-secret&redirect_uri=${encodeURIComponent(redirectUri)}&code=${code}`,
      );
    const first = await exchange();
    const token = (await first.json()) as {
      access_token: string;
      expires_in: number;
      user_id: number;
    };
    expect(token).toMatchObject({ expires_in: 0, user_id: 21 });
    const groups = await call('groups.get', { filter: 'admin', extended: 1 }, token.access_token);
    expect(groups.response.items[0].id).toBe(8001);
    const second = await exchange();
    expect(second.status).toBe(401);
    expect(await second.json()).toMatchObject({ error: 'invalid_grant' });
  });
});

describe('VK simulator: admin API over HTTP', () => {
  const admin = (path: string, method = 'GET', body?: unknown) =>
    fetch(`http://127.0.0.1:${sim.port}/__admin${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(async (res) => ({
      status: res.status,
      body: (await res.json()) as Record<string, Loose>,
    }));

  it('registers a shop, injects a fault, and reports state and the call log', async () => {
    expect(
      (await admin('/shops', 'POST', { token: 'http-admin-token', userId: 61, communityId: 8101 }))
        .status,
    ).toBe(200);
    expect((await admin('/faults', 'POST', { code: 10, count: 1 })).status).toBe(200);
    await admin('/log/reset', 'POST');
    expect(
      (await call('market.addAlbum', { owner_id: -8101, title: 'A' }, 'http-admin-token')).error
        .error_code,
    ).toBe(10);
    expect(
      (await call('market.addAlbum', { owner_id: -8101, title: 'A' }, 'http-admin-token')).response,
    ).toMatchObject({ market_album_id: expect.any(Number) });
    const state = await admin('/state');
    expect(state.body.result.albums).toEqual([
      expect.objectContaining({ ownerId: -8101, title: 'A', count: 0 }),
    ]);
    const log = await admin('/log');
    expect(log.body.result).toMatchObject({
      httpRequests: 2,
      errors: { 10: 1 },
      calls: { 'market.addAlbum': 2 },
    });
    expect((await admin('/items/999999', 'PATCH', { price: 1 })).status).toBe(400);
  });
});
