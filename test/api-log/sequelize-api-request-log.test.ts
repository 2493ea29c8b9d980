import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sequelize } from 'sequelize';
import type { ApiRequestLogEntry } from '../../src/application/ports/api-request-log.js';
import { SequelizeApiRequestLog } from '../../src/infrastructure/api-log/sequelize-api-request-log.js';
import { createSequelize } from '../../src/infrastructure/db/database.js';
import { apiRequestLog } from '../../src/infrastructure/db/migrations/0020-api-request-log.js';
import { EvotorClient } from '../../src/infrastructure/evotor/evotor-client.js';
import { createLogger } from '../../src/infrastructure/logging/logger.js';
import { startEvotorSimulator, type EvotorSimulator } from '../../src/simulators/evotor/index.js';
import { createTestDatabase } from '../support/mariadb.js';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let sequelize: Sequelize;
let sim: EvotorSimulator;

beforeAll(async () => {
  db = await createTestDatabase('api_request_log');
  sequelize = createSequelize(db.url);
  // Only this table's migration: the test is about the log, not the whole schema.
  await apiRequestLog.up({ queryInterface: sequelize.getQueryInterface(), sequelize });
  sim = await startEvotorSimulator({
    users: [{ seed: { seed: 11, stores: 2, groups: 3, products: 12 } }],
  });
});
afterAll(async () => {
  await sim?.stop();
  await sequelize?.close();
  await db?.drop();
});

type Row = Record<string, unknown>;
const rows = async (where = '1=1', replacements: unknown[] = []) =>
  (await sequelize.query(`SELECT * FROM api_request_log WHERE ${where} ORDER BY id`, {
    replacements,
    type: 'SELECT',
  })) as Row[];

const entry = (fields: Partial<ApiRequestLogEntry> = {}): ApiRequestLogEntry => ({
  at: new Date(),
  service: 'vk',
  method: 'POST market.add',
  url: '/method/market.add',
  status: 200,
  durationMs: 12,
  userId: 'purge-test',
  ...fields,
});

describe('api_request_log on MariaDB', () => {
  it('writes the Evotor client’s calls with status, duration and user, and the token nowhere', async () => {
    const log = new SequelizeApiRequestLog(sequelize, { batchSize: 3, flushIntervalMs: 50 });
    const { token } = sim.users[0]!;
    sim.admin.setPageSize(5);
    // The list is ordered by id: the first store listed is the unpaid one.
    const [unpaid] = sim.admin
      .storesOf(sim.users[0]!.userId)
      .map((s) => s.store.id)
      .sort();
    sim.admin.setPaymentRequired(unpaid!);
    sim.admin.addFault({ kind: 'status', status: 503, count: 1, path: '^/stores$' });
    // One answer held back: its row must show at least the wait, in milliseconds.
    sim.admin.addFault({ kind: 'delay', delayMs: 80, count: 1, path: '/products' });
    const client = new EvotorClient({
      baseUrl: sim.url,
      token,
      userId: 'user-42',
      log,
      backoffBaseMs: 1,
    });
    for (const store of await client.allStores()) {
      await client.allGroups(store.id).catch(() => undefined);
      await client.allProducts(store.id).catch(() => undefined);
    }
    await new EvotorClient({ baseUrl: sim.url, token: `${token}-old`, userId: 'user-42', log })
      .allStores()
      .catch(() => undefined);
    await log.flush();

    const written = await rows('user_id = ?', ['user-42']);
    expect(written.map((r) => r.status)).toEqual([503, 200, 402, 402, 200, 200, 200, 200, 401]);
    expect(written.length).toBe(sim.admin.countRequests());
    for (const r of written) {
      expect(r).toMatchObject({ service: 'evotor', user_id: 'user-42' });
      expect(r.at).toBeInstanceOf(Date);
      expect(Number.isInteger(Number(r.duration_ms))).toBe(true);
    }
    // The held-back answer is the first of /products (other calls may take as long on a busy
    // machine: only this one must).
    const delayed = written.find((r) => String(r.method).endsWith('/products'));
    expect(Number(delayed?.duration_ms)).toBeGreaterThanOrEqual(80);
    expect(written[2]).toMatchObject({
      method: `GET /stores/${unpaid}/product-groups`,
      error_code: 'PAYMENT_REQUIRED',
    });
    expect(written[6]!.url).toMatch(/\?cursor=/);

    const [hits] = (await sequelize.query(
      `SELECT COUNT(*) AS n FROM api_request_log WHERE CONCAT_WS('|', service, method, url, status, error_code, duration_ms, request_excerpt, response_excerpt, user_id) LIKE ?`,
      { replacements: [`%${token}%`], type: 'SELECT' },
    )) as Array<{ n: number }>;
    expect(Number(hits!.n)).toBe(0);
  });

  it('writes on its own after the interval, without a flush', async () => {
    const log = new SequelizeApiRequestLog(sequelize, { batchSize: 100, flushIntervalMs: 20 });
    log.record(entry({ userId: 'timer-test' }));
    await expect.poll(async () => (await rows('user_id = ?', ['timer-test'])).length).toBe(1);
  });

  it('never throws into the caller when the database fails', async () => {
    const warnings: string[] = [];
    const logger = createLogger({
      level: 'warn',
      destination: { write: (line: string) => void warnings.push(line) },
    });
    const broken = createSequelize(db.url.replace(/\/[^/]+$/, '/evosync_missing_db_xyz'));
    const log = new SequelizeApiRequestLog(broken, { logger, batchSize: 1 });
    expect(() => log.record(entry())).not.toThrow();
    expect(() => log.record(entry())).not.toThrow();
    await log.flush();
    await broken.close();
    // Each failed batch is named with what it dropped, so an operator can tell how much.
    const failures = warnings.filter((w) => w.includes('api request log write failed'));
    expect(failures.map((w) => (JSON.parse(w) as { records: number }).records)).toEqual([1, 1]);
  });

  it('keeps the milliseconds of each call, in UTC', async () => {
    const log = new SequelizeApiRequestLog(sequelize);
    // Within the retention the purge test below keeps, with milliseconds of its own.
    const at = new Date(Math.floor(Date.now() / 1000) * 1000 - 86_400_000 + 89);
    log.record(entry({ at, userId: 'millis-test' }));
    await log.flush();
    const [written] = await rows('user_id = ?', ['millis-test']);
    expect((written!.at as Date).toISOString()).toBe(at.toISOString());
  });

  it('purges records older than the retention', async () => {
    const log = new SequelizeApiRequestLog(sequelize);
    const now = new Date();
    const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
    for (const d of [40, 31, 29, 1])
      log.record(entry({ at: daysAgo(d), userId: 'purge-test', url: `/${d}` }));
    await log.flush();
    expect(await log.purgeOlderThan(30, now)).toBe(2);
    expect((await rows('user_id = ?', ['purge-test'])).map((r) => r.url)).toEqual(['/29', '/1']);
  });
});
