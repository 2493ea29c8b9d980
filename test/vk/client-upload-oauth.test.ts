import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  VkClient,
  VkMarketApi,
  VkOAuthError,
  VkUploadError,
  buildAuthorizeUrl,
  exchangeCode,
  uploadProductPhoto,
} from '../../src/infrastructure/vk/index.js';
import { startVkSimulator, type VkSimulator } from '../../src/simulators/vk/index.js';
import { makePng } from './helpers.js';
import { MemoryApiRequestLog } from './memory-log.js';

const GROUP = 9201;
const TOKEN = 'vk1.a.upload-oauth-user-token';
const log = new MemoryApiRequestLog();
let sim: VkSimulator;
let vk: VkClient;

beforeAll(async () => {
  sim = await startVkSimulator({ limits: { user: 100 } });
  sim.admin.addShop({ token: TOKEN, userId: 51, communityId: GROUP });
  vk = new VkClient({
    token: TOKEN,
    apiUrl: sim.apiUrl,
    version: '5.199',
    requestsPerSecond: 50,
    log,
  });
});
afterAll(() => sim.stop());

describe('VK product photo upload', () => {
  it('uploads the default photo end to end and uses it as an item cover', async () => {
    const png = readFileSync('assets/default_product.png');
    const photoId = await uploadProductPhoto(vk, GROUP, png, 'default_product.png', { log });
    const itemId = await new VkMarketApi(vk).add(-GROUP, {
      name: 'Товар с фото',
      description: 'Описание товара с фото',
      category_id: 40932,
      price: 100,
      main_photo_id: photoId,
    });
    expect(sim.admin.item(itemId)?.mainPhotoId).toBe(photoId);
    expect(sim.admin.snapshot().photos).toEqual([
      expect.objectContaining({ id: photoId, groupId: GROUP, width: 512, height: 512 }),
    ]);
    const methods = log.entries.map((e) => e.method);
    expect(methods).toEqual(
      expect.arrayContaining([
        'POST market.getProductPhotoUploadServer',
        'POST photo upload',
        'POST market.saveProductPhoto',
      ]),
    );
  });

  it("enlarges a photo under 400×400 (Evotor keeps 300×300) to VK's minimum, keeping its proportions", async () => {
    const square = await uploadProductPhoto(vk, GROUP, makePng(300, 300), 'small.png', { log });
    expect(sim.admin.photo(square)).toMatchObject({ width: 400, height: 400 });
    const wide = await uploadProductPhoto(vk, GROUP, makePng(300, 200), 'wide.png', { log });
    expect(sim.admin.photo(wide)).toMatchObject({ width: 600, height: 400 });
  });

  it('rejects a file that is not an image with VkUploadError, before anything is posted', async () => {
    await expect(
      uploadProductPhoto(vk, GROUP, Buffer.from('not a picture'), 'broken.png', { log }),
    ).rejects.toBeInstanceOf(VkUploadError);
  });
});

describe('VK OAuth authorization code', () => {
  it('builds the authorize URL, follows the redirect and exchanges the code for a token', async () => {
    sim.admin.setOAuthApp({ clientId: '5550001', clientSecret: 'oauth-app-secret' });
    sim.admin.setLoginUser(51);
    const redirectUri = 'http://127.0.0.1:1/vk/callback';
    const url = buildAuthorizeUrl({
      oauthUrl: sim.oauthUrl,
      clientId: '5550001',
      redirectUri,
      state: 'csrf-state-1',
    });
    expect(new URL(url).searchParams.get('scope')).toBe('market,groups,photos,offline');
    const res = await fetch(url, { redirect: 'manual' });
    const back = new URL(res.headers.get('location') ?? '');
    expect(back.searchParams.get('state')).toBe('csrf-state-1');
    const code = back.searchParams.get('code') ?? '';

    const token = await exchangeCode({
      oauthUrl: sim.oauthUrl,
      clientId: '5550001',
      clientSecret: 'oauth-app-secret',
      redirectUri,
      code,
      log,
    });
    expect(token).toMatchObject({ expiresIn: 0, vkUserId: 51 });
    const api = new VkMarketApi(
      new VkClient({ token: token.accessToken, apiUrl: sim.apiUrl, version: '5.199', log }),
    );
    expect((await api.getAdminGroups()).map((g) => g.id)).toEqual([GROUP]);

    const again = exchangeCode({
      oauthUrl: sim.oauthUrl,
      clientId: '5550001',
      clientSecret: 'oauth-app-secret',
      redirectUri,
      code,
      log,
    });
    await expect(again).rejects.toBeInstanceOf(VkOAuthError);

    const secrets = [TOKEN, token.accessToken, code, 'oauth-app-secret'];
    for (const entry of log.entries) {
      for (const secret of secrets) expect(JSON.stringify(entry)).not.toContain(secret);
    }
    expect(log.entries.filter((e) => e.method === 'GET oauth/access_token')).toHaveLength(2);
  });
});
