import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/infrastructure/config/config.js';
import { createLogger } from '../../src/infrastructure/logging/logger.js';
import { buildContainer, type Container } from '../../src/main/container.js';
import { buildWebApp } from '../../src/main/web-runtime.js';
import { createTestDatabase } from '../support/mariadb.js';
import { TcpProxy } from '../support/tcp-proxy.js';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let proxy: TcpProxy;
let container: Container;
let server: Server;

beforeAll(async () => {
  db = await createTestDatabase('health');
  proxy = await TcpProxy.start({ host: '127.0.0.1', port: 3306 });
  const url = `mysql://root@127.0.0.1:${proxy.port}/${db.name}`;
  const config = loadConfig(
    { NODE_ENV: 'test', DATABASE_URL: url, EVENTSTORE_URL: url, LOG_LEVEL: 'silent' },
    null,
  );
  container = await buildContainer(config, createLogger({ level: 'silent' }), {
    processName: 'test',
    schedulerNamespace: `evosync-test-health-${randomUUID()}`,
  });
  const { app } = await buildWebApp(container);
  server = app.listen(0, '127.0.0.1');
});

afterAll(async () => {
  server?.close();
  await proxy?.open().catch(() => undefined);
  await container?.close();
  await proxy?.close();
  await db?.drop();
});

async function waitForStatus(expected: number, timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs;
  let last: request.Response | undefined;
  while (Date.now() < until) {
    last = await request(server).get('/health');
    if (last.status === expected) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`/health stayed ${last?.status}: ${JSON.stringify(last?.body)}`);
}

describe('/health', () => {
  it('reports every dependency and each projection', async () => {
    const res = await waitForStatus(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.checks.database.ok).toBe(true);
    expect(res.body.checks.eventStore).toMatchObject({ ok: true, adapter: 'mariadb' });
    expect(res.body.checks.scheduler).toMatchObject({ ok: true, backend: 'redis' });
    expect(res.body.checks.jobs).toMatchObject({ ok: true, required: false, failed: 0 });
    expect(Object.keys(res.body.checks.projections.projections)).toEqual(
      expect.arrayContaining(['cached-products', 'users', 'mirror-saga']),
    );
  });

  it('answers 503 while MariaDB cannot be reached, and recovers when it is back', async () => {
    await proxy.cut();
    const down = await waitForStatus(503);
    expect(down.body.status).toBe('unhealthy');
    expect(down.body.checks.database.ok).toBe(false);
    expect(down.body.checks.database.error).toEqual(expect.any(String));

    await proxy.open();
    const up = await waitForStatus(200);
    expect(up.body.checks.database.ok).toBe(true);
  });
});

function runWorker(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    // Vite puts its own BASE_URL ("/") into the test process's environment; a worker would
    // rightly refuse it.
    const { BASE_URL: _vite, ...inherited } = process.env;
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/worker.ts'], {
      env: { ...inherited, LOG_LEVEL: 'silent', DATABASE_URL: db.url, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('starting the worker with a wrong EVENTSTORE_URL', () => {
  it('stops with a clear message when the event store cannot be reached', async () => {
    const { code, stderr } = await runWorker({ EVENTSTORE_URL: 'esdb://127.0.0.1:1?tls=false' });
    expect({ code, stderr }).toMatchObject({ code: 1 });
    expect(stderr).toContain('EVENTSTORE_URL: cannot reach the event store (esdb)');
  }, 60_000);

  it('names the setting when the URL is not one it knows', async () => {
    const { code, stderr } = await runWorker({
      EVENTSTORE_URL: 'postgres://127.0.0.1/x',
      PORT: 'x',
    });
    expect(code).toBe(2);
    expect(stderr).toContain('EVENTSTORE_URL: must be a URL starting with esdb://');
    expect(stderr).toContain('PORT');
  }, 60_000);
});

describe('starting the worker with Redis out of reach', () => {
  it('prints one line naming AGENDA_URL and the address, without a password', async () => {
    const { code, stderr } = await runWorker({
      EVENTSTORE_URL: db.url,
      AGENDA_URL: 'redis://:not-for-the-logs@127.0.0.1:1/0',
    });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      'evosync worker: could not start: AGENDA_URL: cannot reach Redis at 127.0.0.1:1 (ECONNREFUSED)',
    ]);
  }, 60_000);
});

describe('starting the worker with a number setting that is not a number', () => {
  it('names the setting and the bad value', async () => {
    const { code, stderr } = await runWorker({ EVENTSTORE_URL: db.url, PORT: 'abc' });
    expect(code).toBe(2);
    expect(stderr).toContain('PORT: must be a whole number, got "abc"');
  }, 60_000);
});
