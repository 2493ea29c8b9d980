import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ExecuteBatcher, VkClient, vkCalls } from '../../src/infrastructure/vk/index.js';
import { startVkSimulator, type VkSimulator } from '../simulators/vk/index.js';
import { MemoryApiRequestLog } from './memory-log.js';

const GROUP = 9101;
const OWNER = -GROUP;
let sim: VkSimulator;

beforeAll(async () => {
  sim = await startVkSimulator();
});
afterAll(() => sim.stop());
beforeEach(() => {
  sim.admin.reset();
});

const item = (n: number) => ({
  name: `Товар ${n} для лимитов`,
  description: 'Достаточно длинное описание',
  category_id: 40932,
  price: n,
});

describe('VkClient rate limiting against a simulator enforcing VK limits', () => {
  it('pushes 500 market.add through the execute batcher at 3 requests/s without one error 6', async () => {
    sim.admin.setLimits({ user: 3 });
    sim.admin.addShop({ token: 'limits-user-token-a', userId: 41, communityId: GROUP });
    const log = new MemoryApiRequestLog();
    const vk = new VkClient({
      token: 'limits-user-token-a',
      apiUrl: sim.apiUrl,
      version: '5.199',
      tokenKind: 'user',
      log,
    });
    const batcher = new ExecuteBatcher(vk, { windowMs: 5 });
    const ids = await Promise.all(
      Array.from({ length: 500 }, (_, n) => {
        const { method, params } = vkCalls.add(OWNER, item(n));
        return batcher.call<{ market_item_id: number }>(method, params);
      }),
    );
    expect(new Set(ids.map((r) => r.market_item_id)).size).toBe(500);
    const calls = sim.admin.callLog();
    expect(calls.errors).toEqual({});
    expect(calls.httpRequests).toBe(20);
    expect(calls.calls['market.add']).toBe(500);
    expect(log.entries).toHaveLength(20);
  }, 60_000);

  it('keeps 30 concurrent single calls under a raised limit, shared by two clients of one token', async () => {
    sim.admin.setLimits({ user: 10 });
    sim.admin.addShop({ token: 'limits-user-token-b', userId: 42, communityId: GROUP });
    const options = {
      token: 'limits-user-token-b',
      apiUrl: sim.apiUrl,
      version: '5.199',
      requestsPerSecond: 10,
      retry: { retries: 0 },
    };
    // Two clients stand for two jobs in one process: the limiter is per token, not per client.
    const clients = [new VkClient(options), new VkClient(options)];
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, n) =>
        (clients[n % 2] as VkClient).call('market.getAlbums', { owner_id: OWNER }),
      ),
    );
    expect(answers).toHaveLength(30);
    const calls = sim.admin.callLog();
    expect(calls.httpRequests).toBe(30);
    expect(calls.errors).toEqual({});
  });

  it('stays under the limit when network delays vary more than the request spacing', async () => {
    const jittery = await startVkSimulator({
      limits: { user: 10 },
      latencyMs: { min: 0, max: 250 },
    });
    try {
      jittery.admin.addShop({ token: 'limits-user-token-d', userId: 44, communityId: GROUP });
      const vk = new VkClient({
        token: 'limits-user-token-d',
        apiUrl: jittery.apiUrl,
        version: '5.199',
        requestsPerSecond: 10,
        retry: { retries: 0 },
      });
      await Promise.all(
        Array.from({ length: 40 }, () => vk.call('market.getAlbums', { owner_id: OWNER })),
      );
      expect(jittery.admin.callLog()).toMatchObject({ httpRequests: 40, errors: {} });
    } finally {
      await jittery.stop();
    }
  }, 60_000);

  it('would be refused by the simulator without the limiter (the check above is real)', async () => {
    sim.admin.setLimits({ user: 10 });
    sim.admin.addShop({ token: 'limits-user-token-c', userId: 43, communityId: GROUP });
    const body = new URLSearchParams({
      v: '5.199',
      access_token: 'limits-user-token-c',
      owner_id: String(OWNER),
    });
    await Promise.all(
      Array.from({ length: 30 }, () =>
        fetch(`${sim.apiUrl}/market.getAlbums`, { method: 'POST', body }),
      ),
    );
    expect(sim.admin.callLog().errors['6']).toBeGreaterThan(0);
  });
});
