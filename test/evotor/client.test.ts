import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type {
  ApiRequestLog,
  ApiRequestLogEntry,
} from '../../src/application/ports/api-request-log.js';
import {
  EvotorAuthError,
  EvotorNotFoundError,
  EvotorPaymentRequiredError,
  EvotorRateLimitedError,
  EvotorUnavailableError,
} from '../../src/infrastructure/evotor/errors.js';
import {
  EvotorClient,
  type EvotorClientOptions,
} from '../../src/infrastructure/evotor/evotor-client.js';
import { startEvotorSimulator, type EvotorSimulator } from '../../src/simulators/evotor/index.js';

class MemoryLog implements ApiRequestLog {
  entries: ApiRequestLogEntry[] = [];
  record(entry: ApiRequestLogEntry) {
    this.entries.push(entry);
  }
  async flush() {}
}

let sim: EvotorSimulator;
beforeAll(async () => {
  sim = await startEvotorSimulator();
});
afterAll(() => sim.stop());
afterEach(() => {
  sim.admin.clearFaults();
  sim.admin.setRateLimit(null);
  sim.admin.setPageSize(1000);
});

/** A fresh Evotor user with its own catalog, so tests share no state. */
function shop(seed: number, sizes = { stores: 1, groups: 4, products: 30 }) {
  const { userId, token } = sim.admin.createUser();
  const { stores } = sim.admin.seedCatalog(userId, { seed, ...sizes });
  const log = new MemoryLog();
  const client = (options: Partial<EvotorClientOptions> = {}) =>
    new EvotorClient({
      baseUrl: sim.url,
      token,
      userId: `evosync-user-${seed}`,
      log,
      backoffBaseMs: 5,
      backoffMaxMs: 20,
      timeoutMs: 2000,
      ...options,
    });
  return { userId, token, storeIds: stores.map((s) => s.storeId), log, client };
}

describe('EvotorClient reading a catalog', () => {
  it('follows next_cursor across pages', async () => {
    const { storeIds, client } = shop(1);
    sim.admin.setPageSize(7);
    const pages: number[] = [];
    for await (const items of client().listProducts(storeIds[0]!)) pages.push(items.length);
    expect(pages).toEqual([7, 7, 7, 7, 2]);
    const all = await client().allProducts(storeIds[0]!);
    expect(new Set(all.map((p) => p.id))).toEqual(
      new Set(sim.admin.products(storeIds[0]!).map((p) => p.id)),
    );
    expect(await client().allGroups(storeIds[0]!)).toHaveLength(4);
    expect((await client().allStores()).map((s) => s.id)).toEqual(storeIds);
  });

  it('raises a 402 for the unpaid store while the others are read', async () => {
    const { storeIds, client } = shop(2, { stores: 3, groups: 2, products: 5 });
    sim.admin.setPaymentRequired(storeIds[1]!);
    const outcome: Record<string, number | string> = {};
    for (const store of await client().allStores()) {
      try {
        outcome[store.id] = (await client().allProducts(store.id)).length;
      } catch (err) {
        if (!(err instanceof EvotorPaymentRequiredError)) throw err;
        outcome[store.id] = `402 for ${err.storeId}`;
      }
    }
    expect(outcome).toEqual({
      [storeIds[0]!]: 5,
      [storeIds[1]!]: `402 for ${storeIds[1]}`,
      [storeIds[2]!]: 5,
    });
  });

  it('waits for X-RateLimit-Reset on 429 and then succeeds', async () => {
    const { storeIds, client } = shop(3);
    sim.admin.setPageSize(7);
    sim.admin.setRateLimit({ limit: 3, windowMs: 1000 });
    const products = await client({ maxRateLimitWaitMs: 1500 }).allProducts(storeIds[0]!);
    expect(products).toHaveLength(30);
    expect(
      sim.admin.countRequests({ path: `^/stores/${storeIds[0]}/products$`, status: 429 }),
    ).toBeGreaterThan(0);
  });

  it('gives up on 429 after its retries with EvotorRateLimitedError', async () => {
    const { client } = shop(4);
    sim.admin.setRateLimit({ limit: 0, windowMs: 60_000 });
    const error = await client({ maxRateLimitRetries: 2, maxRateLimitWaitMs: 5 })
      .allStores()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EvotorRateLimitedError);
    expect((error as EvotorRateLimitedError).retryAfterSeconds).toBeGreaterThan(0);
  });

  it('retries a 5xx and succeeds', async () => {
    const { storeIds, client, log } = shop(5);
    const path = `^/stores/${storeIds[0]}/products$`;
    sim.admin.addFault({ kind: 'status', status: 503, count: 2, path });
    expect(await client().allProducts(storeIds[0]!)).toHaveLength(30);
    expect(sim.admin.requests({ path }).map((r) => r.status)).toEqual([503, 503, 200]);
    expect(log.entries.map((e) => e.status)).toEqual([503, 503, 200]);
  });

  it('retries a dropped connection and a timeout, then succeeds', async () => {
    const { storeIds, client, log } = shop(6);
    const path = `^/stores/${storeIds[0]}/product-groups$`;
    sim.admin.addFault({ kind: 'drop', count: 1, path });
    expect(await client().allGroups(storeIds[0]!)).toHaveLength(4);
    sim.admin.addFault({ kind: 'delay', delayMs: 3000, count: 1, path });
    expect(await client({ timeoutMs: 100 }).allGroups(storeIds[0]!)).toHaveLength(4);
    expect(log.entries.map((e) => [e.status, e.errorCode])).toEqual([
      [null, 'ECONNRESET'],
      [200, null],
      [null, 'ETIMEDOUT'],
      [200, null],
    ]);
  });

  it('raises EvotorUnavailableError when the retries run out', async () => {
    const { storeIds, client } = shop(7);
    const path = `^/stores/${storeIds[0]}/products$`;
    sim.admin.addFault({ kind: 'status', status: 500, path });
    const error = await client({ maxRetries: 2 })
      .allProducts(storeIds[0]!)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EvotorUnavailableError);
    expect((error as EvotorUnavailableError).status).toBe(500);
    expect(sim.admin.countRequests({ path })).toBe(3);
    sim.admin.clearFaults();
    sim.admin.addFault({ kind: 'drop', path });
    const dropped = await client({ maxRetries: 1 })
      .allProducts(storeIds[0]!)
      .catch((e: unknown) => e);
    expect(dropped).toBeInstanceOf(EvotorUnavailableError);
    expect((dropped as EvotorUnavailableError).status).toBeNull();
  });

  it('raises EvotorAuthError at once for a bad token, and EvotorNotFoundError for a missing product', async () => {
    const { storeIds, client } = shop(8);
    sim.admin.clearRequests();
    await expect(client({ token: 'revoked' }).allStores()).rejects.toBeInstanceOf(EvotorAuthError);
    expect(sim.admin.countRequests({ path: '^/stores$' })).toBe(1);
    await expect(client().getProduct(storeIds[0]!, 'missing')).rejects.toBeInstanceOf(
      EvotorNotFoundError,
    );
  });

  it('records every call for its user, and never the token', async () => {
    const { storeIds, client, log, token } = shop(9, { stores: 1, groups: 2, products: 3 });
    sim.admin.addFault({ kind: 'status', status: 502, count: 1, path: '^/stores$' });
    // The products answer is held back, so its recorded duration must cover the wait.
    sim.admin.addFault({ kind: 'delay', delayMs: 80, count: 1, path: '/products' });
    const started = performance.now();
    await client().allStores();
    await client().allProducts(storeIds[0]!);
    await client({ token: `${token}x` })
      .allStores()
      .catch(() => undefined);
    const elapsedMs = performance.now() - started;
    expect(log.entries.map((e) => [e.method, e.status])).toEqual([
      ['GET /stores', 502],
      ['GET /stores', 200],
      [`GET /stores/${storeIds[0]}/products`, 200],
      ['GET /stores', 401],
    ]);
    for (const entry of log.entries) {
      expect(entry).toMatchObject({ service: 'evotor', userId: 'evosync-user-9' });
      expect(Number.isInteger(entry.durationMs)).toBe(true);
    }
    const durations = log.entries.map((e) => e.durationMs);
    expect(durations[2]).toBeGreaterThanOrEqual(80);
    expect(durations.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(Math.ceil(elapsedMs) + 4);
    expect(log.entries[1]!.responseExcerpt).toContain(storeIds[0]);
    expect(log.entries[3]!.errorCode).toBe('UNAUTHORIZED');
    expect(JSON.stringify(log.entries)).not.toContain(token);
  });
});
