import { Router } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { ApiRequestLogEntry } from '../../src/application/ports/api-request-log.js';
import { START } from '../../src/application/ports/event-store.js';
import '../../src/application/commands/cached-deciders.js';
import { CommandHandler } from '../../src/application/commands/command-handler.js';
import { loadState } from '../../src/application/commands/load-state.js';
import { useStateCache } from '../../src/application/commands/state-cache.js';
import { syncConfigDecider } from '../../src/domain/sync-config/decide.js';
import { syncConfigStream } from '../../src/domain/sync-config/events.js';
import { MemoryEventStore } from '../../src/infrastructure/eventstore/memory/memory-event-store.js';
import { createLogger } from '../../src/infrastructure/logging/logger.js';
import { MeteredEventStore } from '../../src/infrastructure/metrics/metered-event-store.js';
import { Metrics } from '../../src/infrastructure/metrics/metrics.js';
import { startMetricsServer } from '../../src/infrastructure/metrics/metrics-server.js';
import { MemoryScheduler } from '../support/memory-scheduler.js';
import { createWebApp } from '../../src/web/app.js';
import { httpMetrics, opsRoutes } from '../../src/web/ops/index.js';
import { sample } from './exposition.js';

function appWith(metrics: Metrics) {
  const items = Router();
  items.get('/items/:id', (req, res) => {
    res.json({ id: req.params.id });
  });
  const api = Router();
  api.post('/things/:thingId/toggle', (_req, res) => {
    res.status(201).json({});
  });
  const nested = Router();
  nested.use('/api', api);
  return createWebApp({
    logger: createLogger({ level: 'silent' }),
    healthChecks: [{ name: 'db', required: true, check: async () => ({ ok: true }) }],
    before: [httpMetrics(metrics)],
    routers: [items, nested, opsRoutes({ metrics })],
  });
}

const scrape = async (app: ReturnType<typeof appWith>) => {
  const res = await request(app).get('/metrics').expect(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text;
};

describe('metrics', () => {
  it('times HTTP requests by route pattern, never by raw URL', async () => {
    const metrics = new Metrics();
    const app = appWith(metrics);
    await request(app).get('/items/42').expect(200);
    await request(app).get('/items/43').expect(200);
    await request(app).post('/api/things/7/toggle').expect(201);
    await request(app).get('/health').expect(200);
    await request(app).get('/no/such/page').expect(404);
    const text = await scrape(app);

    const count = (method: string, route: string, status: string) =>
      sample(text, 'evosync_http_request_duration_seconds_count', { method, route, status });
    expect(count('GET', '/items/:id', '200')).toBe(2);
    expect(count('POST', '/api/things/:thingId/toggle', '201')).toBe(1);
    expect(count('GET', '/health', '200')).toBe(1);
    expect(count('GET', 'unmatched', '404')).toBe(1);
    expect(text).toContain('# TYPE evosync_http_request_duration_seconds histogram');
    expect(text).not.toContain('/items/42');
    // The default process metrics are there too, with real readings (a heap and a resident
    // set are never empty), and only because they were asked for.
    expect(sample(text, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    const bare = (await new Metrics({ defaultMetrics: false }).expose()).body;
    expect(bare).not.toContain('nodejs_heap_size_used_bytes');
    expect(bare).not.toContain('process_resident_memory_bytes');
  });

  it('counts finished jobs by name and outcome', async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    const scheduler = new MemoryScheduler();
    metrics.observeScheduler(scheduler);
    scheduler.define('evotor-fetch', async () => {});
    scheduler.define('vk-push', async () => {
      throw new Error('VK said no');
    });
    await scheduler.enqueue('evotor-fetch', { userId: 'u1' });
    await scheduler.enqueue('evotor-fetch', { userId: 'u2' });
    await scheduler.enqueue('vk-push', { userId: 'u1' });
    await scheduler.runPending();

    const text = (await metrics.expose()).body;
    expect(sample(text, 'evosync_jobs_total', { name: 'evotor-fetch', outcome: 'ok' })).toBe(2);
    expect(sample(text, 'evosync_jobs_total', { name: 'vk-push', outcome: 'failed' })).toBe(1);
    expect(sample(text, 'evosync_jobs_total', { name: 'vk-push', outcome: 'ok' })).toBeUndefined();
    expect(sample(text, 'evosync_job_duration_seconds_count', { name: 'evotor-fetch' })).toBe(2);
  });

  it('counts Evotor and VK calls by outcome and still passes every record on', async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    const recorded: ApiRequestLogEntry[] = [];
    let flushed = 0;
    const log = metrics.apiRequestLog({
      record: (e) => recorded.push(e),
      flush: async () => {
        flushed++;
      },
    });
    const base = { at: new Date(), url: 'https://x', durationMs: 120 };
    log.record({ ...base, service: 'vk', method: 'POST market.add', status: 200 });
    log.record({ ...base, service: 'vk', method: 'POST market.add', status: 200, errorCode: '9' });
    log.record({ ...base, service: 'vk', method: 'POST market.add', status: 200 });
    log.record({ ...base, service: 'evotor', method: 'GET', status: 402 });
    log.record({ ...base, service: 'evotor', method: 'GET', status: null, errorCode: null });
    await log.flush();

    expect(recorded).toHaveLength(5);
    expect(flushed).toBe(1);
    const text = (await metrics.expose()).body;
    const calls = (service: string, method: string, outcome: string) =>
      sample(text, 'evosync_external_api_calls_total', { service, method, outcome });
    expect(calls('vk', 'POST market.add', 'ok')).toBe(2);
    expect(calls('vk', 'POST market.add', '9')).toBe(1);
    expect(calls('evotor', 'GET', 'http_402')).toBe(1);
    expect(calls('evotor', 'GET', 'no_answer')).toBe(1);
    expect(
      sample(text, 'evosync_external_api_call_duration_seconds_count', { service: 'vk' }),
    ).toBe(3);
  });

  it('counts appended events by stream category and type', async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    const store = new MeteredEventStore(new MemoryEventStore(), metrics);
    const event = (type: string) => ({
      id: crypto.randomUUID(),
      type,
      data: {},
      metadata: { actor: 'system', correlationId: 'c', occurredAt: new Date().toISOString() },
    });
    await store.appendToStream('sync-config-u1', [event('SyncEnabled'), event('SyncConfirmed')]);
    await store.appendToStream('sync-config-u2', [event('SyncEnabled')]);
    await store.appendToStream('user-u1', [event('UserRegistered')]);
    expect(await store.readStream('sync-config-u1')).toHaveLength(2);

    const text = (await metrics.expose()).body;
    const appended = (category: string, type: string) =>
      sample(text, 'evosync_events_appended_total', { category, type });
    expect(appended('sync', 'SyncEnabled')).toBe(2);
    expect(appended('sync', 'SyncConfirmed')).toBe(1);
    expect(appended('user', 'UserRegistered')).toBe(1);
  });

  it("reports the state cache's hits, misses and size at scrape time", async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    const store = new MemoryEventStore();
    metrics.observeStateCache(useStateCache(store));
    const commands = new CommandHandler(store);
    const enable = { type: 'EnableSync', userId: 'u1' } as const;
    await commands.handle(syncConfigDecider, syncConfigStream('u1'), enable, { actor: 'u1' });
    // the first fold of the stream misses; the next ones start from the state it kept
    for (let i = 0; i < 3; i++) await loadState(store, syncConfigDecider, syncConfigStream('u1'));

    const text = (await metrics.expose()).body;
    const lookups = (outcome: string) =>
      sample(text, 'evosync_state_cache_lookups_total', { outcome });
    expect(lookups('miss')).toBe(1);
    expect(lookups('hit')).toBe(3);
    expect(sample(text, 'evosync_state_cache_size', { unit: 'streams' })).toBe(1);
    expect(text).toContain('# TYPE evosync_state_cache_lookups_total counter');
  });

  it('reports projection lag from the status sources at scrape time', async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    let lag = 5;
    metrics.addProjectionStatusSource(async () => [
      { name: 'users', state: 'live', lagEvents: lag },
      {
        name: 'cached-products',
        state: 'retrying',
        lagEvents: 1200,
        failure: {
          error: 'Data too long',
          event: { id: 'e-1', type: 'ProductAdded', streamId: 's', position: START },
          attempts: 4,
          since: new Date(),
          lastFailedAt: new Date(),
          nextRetryAt: null,
        },
      },
    ]);
    metrics.addProjectionStatusSource(() => Promise.reject(new Error('worker gone')));

    let text = (await metrics.expose()).body;
    expect(sample(text, 'evosync_projection_lag_events', { projection: 'users' })).toBe(5);
    expect(sample(text, 'evosync_projection_lag_events', { projection: 'cached-products' })).toBe(
      1200,
    );
    expect(
      sample(text, 'evosync_projection_state', {
        projection: 'cached-products',
        state: 'retrying',
      }),
    ).toBe(1);
    expect(
      sample(text, 'evosync_projection_failed_attempts', { projection: 'cached-products' }),
    ).toBe(4);
    expect(sample(text, 'evosync_projection_failed_attempts', { projection: 'users' })).toBe(0);

    lag = 0;
    text = (await metrics.expose()).body;
    expect(sample(text, 'evosync_projection_lag_events', { projection: 'users' })).toBe(0);
  });

  it("serves the worker's metrics on a port of its own", async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    metrics.jobs.inc({ name: 'vk-push', outcome: 'ok' });
    const listener = await startMetricsServer(metrics, { port: 0 });
    try {
      const res = await fetch(`http://127.0.0.1:${listener.port}/metrics`);
      expect(res.status).toBe(200);
      expect(
        sample(await res.text(), 'evosync_jobs_total', { name: 'vk-push', outcome: 'ok' }),
      ).toBe(1);
      expect((await fetch(`http://127.0.0.1:${listener.port}/other`)).status).toBe(404);
    } finally {
      await listener.close();
    }
  });
});
