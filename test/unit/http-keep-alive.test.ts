import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { EvotorClient } from '../../src/infrastructure/evotor/evotor-client.js';
import { VkClient } from '../../src/infrastructure/vk/index.js';
import { startEvotorSimulator, type EvotorSimulator } from '../../src/simulators/evotor/index.js';
import { startVkSimulator, type VkSimulator } from '../../src/simulators/vk/index.js';

/**
 * Node skips the setsockopt calls of `setKeepAlive` only while the probe delay stays the same;
 * axios asks for 60 s on every request and Node's global agents for 1 s whenever a socket goes
 * back to the pool, which made eight system calls per request (see keep-alive-agents.ts). The
 * clients' agents must agree with axios, so every call on one socket asks for the same delay.
 */
let evotor: EvotorSimulator;
let vk: VkSimulator;
beforeAll(async () => {
  [evotor, vk] = await Promise.all([startEvotorSimulator(), startVkSimulator()]);
});
afterAll(() => Promise.all([evotor.stop(), vk.stop()]));
afterEach(() => {
  vi.restoreAllMocks();
});

/** Every `setKeepAlive` call while `work` runs: which socket, and the delay it asked for. */
async function keepAliveCalls(work: () => Promise<void>) {
  const calls: { socket: net.Socket; delayMs: number | undefined }[] = [];
  const original = net.Socket.prototype.setKeepAlive;
  vi.spyOn(net.Socket.prototype, 'setKeepAlive').mockImplementation(function (
    this: net.Socket,
    enable?: boolean,
    delayMs?: number,
  ) {
    calls.push({ socket: this, delayMs });
    return original.call(this, enable, delayMs);
  });
  await work();
  return calls;
}

/**
 * Every request went over one socket, and every `setKeepAlive` on it asked for axios's delay:
 * Node set the socket up once.
 */
function expectSetUpOnce(
  calls: { socket: net.Socket; delayMs: number | undefined }[],
  requests: number,
) {
  expect(calls.length).toBeGreaterThanOrEqual(requests);
  // One request after another: the pool hands the same socket back every time.
  expect(new Set(calls.map((c) => c.socket)).size).toBe(1);
  expect([...new Set(calls.map((c) => c.delayMs))]).toEqual([60_000]);
}

describe('the HTTP clients keep a pooled socket set up once', () => {
  it('EvotorClient: sequential requests reuse one socket, always with the same probe delay', async () => {
    const { userId, token } = evotor.admin.createUser();
    const { stores } = evotor.admin.seedCatalog(userId, { seed: 7, products: 12 });
    const storeId = stores[0]!.storeId;
    const client = new EvotorClient({ baseUrl: evotor.url, token });
    const productIds = (await client.allProducts(storeId)).map((p) => p.id);
    expect(productIds).toHaveLength(12);

    const calls = await keepAliveCalls(async () => {
      for (const id of productIds) await client.productImages(storeId, id);
    });
    expectSetUpOnce(calls, productIds.length);
  });

  it('VkClient: the same for API calls', async () => {
    const token = `vk1.a.keep-alive-${Math.random().toString(36).slice(2)}`;
    vk.admin.addShop({ token, userId: 41, communityId: 9041 });
    const client = new VkClient({
      token,
      apiUrl: vk.apiUrl,
      version: '5.199',
      requestsPerSecond: 100,
    });
    const calls = await keepAliveCalls(async () => {
      for (let n = 0; n < 6; n++) await client.call('market.getAlbums', { owner_id: -9041 });
    });
    expectSetUpOnce(calls, 6);
  });
});
