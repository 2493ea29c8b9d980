import { randomUUID } from 'node:crypto';
import Bottleneck from 'bottleneck';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ExecuteBatcher,
  shareVkLimits,
  TokenLimiter,
  tokenKey,
  VkClient,
  vkCalls,
} from '../../src/infrastructure/vk/index.js';
import { startVkSimulator, type VkSimulator } from '../../src/simulators/vk/index.js';
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

  it('retries "too many requests" and flood control quietly, beyond the retries for other errors', async () => {
    sim.admin.addShop({ token: 'limits-user-token-e', userId: 46, communityId: GROUP });
    // As the web's connection check is set up: one retry for errors such as 10.
    const vk = new VkClient({
      token: 'limits-user-token-e',
      apiUrl: sim.apiUrl,
      version: '5.199',
      retry: { retries: 1, baseDelayMs: 5 },
    });
    sim.admin.addFault({ code: 6, count: 2, method: 'users.get' });
    sim.admin.addFault({ code: 9, count: 1, method: 'users.get' });
    await expect(vk.call('users.get')).resolves.toBeDefined();
    expect(sim.admin.callLog().errors).toMatchObject({ '6': 2, '9': 1 });
    sim.admin.addFault({ code: 10, count: 2, method: 'users.get' });
    await expect(vk.call('users.get')).rejects.toMatchObject({ code: 10 });
    sim.admin.clearFaults();
  }, 30_000);

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

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * A stand-in for VK's counter of one token: each request arrives after a random network delay
 * (up to 200 ms) and is answered after another (up to 100 ms); the arrivals are kept.
 */
function vkCounter() {
  const arrivals: number[] = [];
  const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  return {
    arrivals,
    async request(): Promise<void> {
      await wait(Math.random() * 200);
      arrivals.push(performance.now());
      await wait(Math.random() * 100);
    },
    /** the most arrivals within any one second */
    busiestSecond(): number {
      const sorted = [...arrivals].sort((a, b) => a - b);
      let most = 0;
      for (let i = 0, j = 0; j < sorted.length; j++) {
        while (sorted[j]! - sorted[i]! >= 1000) i++;
        most = Math.max(most, j - i + 1);
      }
      return most;
    },
  };
}

describe('one token, several processes', () => {
  const connections: Bottleneck.IORedisConnection[] = [];
  /** a process of its own: its own Redis connection, as the web and each worker have */
  const processConnection = () => {
    const connection = new Bottleneck.IORedisConnection({ Redis, client: new Redis(REDIS_URL) });
    connections.push(connection);
    return connection;
  };
  afterAll(async () => {
    await Promise.all(connections.map((c) => c.disconnect(false)));
  });

  it('keeps the web and a worker together under 3 requests in any second (shared in Redis)', async () => {
    const key = tokenKey(`shared-${randomUUID()}`);
    const web = new TokenLimiter(3, 0.05, { connection: processConnection(), key });
    const worker = new TokenLimiter(3, 0.05, { connection: processConnection(), key });
    const vk = vkCounter();
    // The web's connection check (users.get, groups.getById) while the worker fetches.
    await Promise.all(
      Array.from({ length: 16 }, (_, n) => (n % 2 ? web : worker).schedule(() => vk.request())),
    );
    expect(vk.arrivals).toHaveLength(16);
    expect(vk.busiestSecond()).toBeLessThanOrEqual(3);
    await Promise.all([web.stop(), worker.stop()]);
  }, 60_000);

  it('frees the slots of a process that died holding them (kill -9 while calling VK)', async () => {
    const key = tokenKey(`dead-${randomUUID()}`);
    // A worker takes all three slots and dies: its connection drops, its calls never end.
    const dying = processConnection();
    const dead = new TokenLimiter(3, 0.05, { connection: dying, key }, 1_500);
    const never = new Promise<never>(() => undefined);
    for (let i = 0; i < 3; i++) void dead.schedule(() => never).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await dying.disconnect(false);
    // The restarted worker gets the token's slots back once the dead ones expire.
    const restarted = new TokenLimiter(3, 0.05, { connection: processConnection(), key }, 1_500);
    const vk = vkCounter();
    await restarted.schedule(() => vk.request());
    expect(vk.arrivals).toHaveLength(1);
    await restarted.stop();
  }, 30_000);

  it('would go over with a limiter per process (the check above is real)', async () => {
    const web = new TokenLimiter(3, 0.05);
    const worker = new TokenLimiter(3, 0.05);
    const vk = vkCounter();
    await Promise.all(
      Array.from({ length: 6 }, (_, n) => (n % 2 ? web : worker).schedule(() => vk.request())),
    );
    expect(vk.busiestSecond()).toBeGreaterThan(3);
  });

  it('says so at start when the Redis of the shared limits cannot be reached', async () => {
    const sharing = shareVkLimits('redis://127.0.0.1:1');
    try {
      await expect(sharing.ready()).rejects.toThrow();
    } finally {
      await sharing.close();
    }
  });

  it('puts the VkClient limiters of a process in Redis once the composition root shares them', async () => {
    const sharing = shareVkLimits(REDIS_URL);
    const redis = new Redis(REDIS_URL);
    try {
      sim.admin.setLimits({ user: 3 });
      const token = `limits-shared-${randomUUID()}`;
      sim.admin.addShop({ token, userId: 45, communityId: GROUP });
      const vk = new VkClient({ token, apiUrl: sim.apiUrl, version: '5.199', tokenKind: 'user' });
      await vk.call('market.getAlbums', { owner_id: OWNER });
      const keys = await redis.keys(`b_evosync:vk-limit:${tokenKey(token)}*`);
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.join(' ')).not.toContain(token);
    } finally {
      await sharing.close();
      redis.disconnect();
    }
  });
});
