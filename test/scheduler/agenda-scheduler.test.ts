import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturedLogger } from '../support/captured-logger.js';
import type { JobContext, JobData, JobOutcome } from '../../src/application/ports/scheduler.js';
import { AgendaScheduler } from '../../src/infrastructure/scheduler/agenda-scheduler.js';
import {
  LOCAL_REDIS_URL,
  deferred,
  dropIndexOfUniqueKeys,
  dropNamespace,
  uniqueNamespace,
  waitFor,
} from './redis-namespace.js';

const namespace = uniqueNamespace('agenda-scheduler');
const { logger, lines: logLines } = capturedLogger('info');
const scheduler = new AgendaScheduler({
  url: LOCAL_REDIS_URL,
  logger,
  namespace,
  processEveryMs: 100,
});

const echoed: Array<{ data: JobData; ctx: JobContext }> = [];
const flakyAttempts: number[] = [];
const finished: Array<{ name: string; outcome: JobOutcome }> = [];
let fixableFails = true;
const fixableRuns: number[] = [];
const slowStarted = deferred();
const slowRelease = deferred();

beforeAll(async () => {
  scheduler.define('echo', async (data, ctx) => {
    echoed.push({ data, ctx });
  });
  scheduler.define(
    'flaky',
    async (_data, ctx) => {
      flakyAttempts.push(ctx.attempt);
      throw new Error('VK said no');
    },
    { retries: { maxRetries: 2, delayMs: 20, factor: 2 } },
  );
  scheduler.define('fixable', async (_data, ctx) => {
    fixableRuns.push(ctx.attempt);
    if (fixableFails) throw new Error('not yet');
  });
  scheduler.define('slow-push', async () => {
    slowStarted.resolve();
    await slowRelease.promise;
  });
  scheduler.define('tick', async () => {});
  scheduler.define('later', async () => {});
  scheduler.onJobFinished((name, outcome) => finished.push({ name, outcome }));
  await scheduler.start();
});

afterAll(async () => {
  slowRelease.resolve();
  await scheduler.stop({ drainTimeoutMs: 5_000 });
  await dropNamespace(namespace);
});

const inAnHour = () => new Date(Date.now() + 3_600_000);

describe('AgendaScheduler on Redis', () => {
  it('reports a healthy Redis backend', async () => {
    expect(await scheduler.health()).toMatchObject({ ok: true, backend: 'redis' });
  });

  it('runs an enqueued job with its data', async () => {
    const id = await scheduler.enqueue('echo', { userId: 'u-1', items: [1, 2] });
    const run = await waitFor(() => echoed.find((e) => e.ctx.jobId === id), 'the echo job');
    expect(run.data).toEqual({ userId: 'u-1', items: [1, 2] });
    expect(run.ctx.attempt).toBe(1);
    await waitFor(() => finished.some((f) => f.name === 'echo' && f.outcome === 'ok'), 'metrics');
  });

  it('retries a failing job per its policy, then reports it failed with its reason', async () => {
    const id = await scheduler.enqueue('flaky', { userId: 'u-logged-never' });
    const job = await waitFor(async () => {
      const { jobs } = await scheduler.listJobs({ name: 'flaky', limit: 10, skip: 0 });
      const found = jobs.find((j) => j.id === id);
      return found?.state === 'failed' && found.nextRunAt === null && found;
    }, 'retries to be exhausted');
    expect(flakyAttempts).toEqual([1, 2, 3]);
    expect(job).toMatchObject({
      failCount: 3,
      failReason: 'VK said no',
      data: { userId: 'u-logged-never' },
    });
    expect(finished.filter((f) => f.name === 'flaky').map((f) => f.outcome)).toEqual([
      'failed',
      'failed',
      'failed',
    ]);
    const failureLogs = logLines.filter((line) => line.includes('"job":"flaky"'));
    expect(failureLogs).toHaveLength(3);
    expect(failureLogs.every((line) => line.includes('VK said no'))).toBe(true);
    expect(logLines.some((line) => line.includes('u-logged-never'))).toBe(false);
  });

  it('creates one recurring job however often `every` is called', async () => {
    await scheduler.every('tick', 3600, { round: 1 });
    await scheduler.every('tick', 3600, { round: 2 });
    const { jobs, total } = await scheduler.listJobs({ name: 'tick', limit: 10, skip: 0 });
    expect(total).toBe(1);
    expect(jobs[0]?.data).toEqual({ round: 2 });
  });

  it('keeps one pending job per unique key', async () => {
    const first = await scheduler.enqueue(
      'later',
      { userId: 'a' },
      { uniqueKey: 'a', runAt: inAnHour() },
    );
    const again = await scheduler.enqueue(
      'later',
      { userId: 'a' },
      { uniqueKey: 'a', runAt: inAnHour() },
    );
    const other = await scheduler.enqueue(
      'later',
      { userId: 'b' },
      { uniqueKey: 'b', runAt: inAnHour() },
    );
    expect(again).toBe(first);
    expect(other).not.toBe(first);
    const { jobs } = await scheduler.listJobs({ name: 'later', limit: 10, skip: 0 });
    expect(jobs.filter((j) => j.uniqueKey === 'a').map((j) => j.id)).toEqual([first]);
    expect(jobs.find((j) => j.id === first)).toMatchObject({
      state: 'scheduled',
      data: { userId: 'a' },
    });
    expect(await scheduler.cancel('later')).toBe(2);
  });

  it('finds the pending job of a key from another process, and one enqueued before the index', async () => {
    const first = await scheduler.enqueue(
      'later',
      { userId: 'k' },
      { uniqueKey: 'k', runAt: inAnHour() },
    );
    // As if enqueued before the index of unique keys existed: a process opened now finds it.
    await dropIndexOfUniqueKeys(namespace);
    const other = new AgendaScheduler({ url: LOCAL_REDIS_URL, logger, namespace });
    try {
      expect(
        await other.enqueue('later', { userId: 'k' }, { uniqueKey: 'k', runAt: inAnHour() }),
      ).toBe(first);
      // Once done (or cancelled) it is gone: the next enqueue makes a job of its own.
      expect(await scheduler.cancelJob(first)).toBe(true);
      const next = await other.enqueue(
        'later',
        { userId: 'k' },
        { uniqueKey: 'k', runAt: inAnHour() },
      );
      expect(next).not.toBe(first);
      expect(await scheduler.enqueue('later', {}, { uniqueKey: 'k', runAt: inAnHour() })).toBe(
        next,
      );
      expect(await scheduler.cancel('later')).toBe(1);
    } finally {
      await other.stop();
    }
  });

  it('gives work arriving during a run a job of its own', async () => {
    const running = await scheduler.enqueue('slow-push', { userId: 'c' }, { uniqueKey: 'c' });
    await slowStarted.promise;
    const next = await scheduler.enqueue(
      'slow-push',
      { userId: 'c' },
      { uniqueKey: 'c', runAt: inAnHour() },
    );
    expect(next).not.toBe(running);
    slowRelease.resolve();
    expect(await scheduler.cancelJob(next)).toBe(true);
  });

  it('cancels by data filter, and one job by id', async () => {
    await scheduler.enqueue('later', { userId: 'x' }, { runAt: inAnHour() });
    const keep = await scheduler.enqueue('later', { userId: 'y' }, { runAt: inAnHour() });
    const drop = await scheduler.enqueue('later', { userId: 'z' }, { runAt: inAnHour() });
    expect(await scheduler.cancel('later', { userId: 'x' })).toBe(1);
    expect(await scheduler.cancelJob(drop)).toBe(true);
    expect(await scheduler.cancelJob(drop)).toBe(false);
    expect(await scheduler.cancelJob('no-such-job')).toBe(false);
    const { jobs, total } = await scheduler.listJobs({ name: 'later', limit: 10, skip: 0 });
    expect(total).toBe(1);
    expect(jobs.map((j) => j.id)).toEqual([keep]);
  });

  it('lists jobs by state with paging', async () => {
    for (const userId of ['p1', 'p2', 'p3']) {
      await scheduler.enqueue('later', { userId }, { runAt: inAnHour() });
    }
    const page = await scheduler.listJobs({ name: 'later', state: 'scheduled', limit: 2, skip: 0 });
    expect(page.total).toBe(4);
    expect(page.jobs).toHaveLength(2);
    const rest = await scheduler.listJobs({ name: 'later', state: 'scheduled', limit: 2, skip: 2 });
    expect(rest.jobs).toHaveLength(2);
    const failed = await scheduler.listJobs({ name: 'later', state: 'failed', limit: 10, skip: 0 });
    expect(failed.total).toBe(0);
  });

  it('retries a failed job on request with a fresh budget', async () => {
    const id = await scheduler.enqueue('fixable', {});
    await waitFor(async () => {
      const { jobs } = await scheduler.listJobs({
        name: 'fixable',
        state: 'failed',
        limit: 5,
        skip: 0,
      });
      return jobs.some((j) => j.id === id && j.failReason === 'not yet');
    }, 'the first failure');
    fixableFails = false;
    expect(await scheduler.retryJob(id)).toBe(true);
    await waitFor(() => fixableRuns.length === 2, 'the retried run');
    expect(fixableRuns).toEqual([1, 1]);
    // A one-off job that succeeded is removed.
    await waitFor(
      async () => (await scheduler.listJobs({ name: 'fixable', limit: 5, skip: 0 })).total === 0,
      'removal',
    );
    expect(await scheduler.retryJob(id)).toBe(false);
  });
});
