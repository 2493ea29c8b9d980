import { describe, expect, it } from 'vitest';
import type { JobData, JobOutcome } from '../../src/application/ports/scheduler.js';
import { MemoryScheduler } from '../support/memory-scheduler.js';

function clock(start = Date.parse('2026-01-01T00:00:00Z')) {
  let now = start;
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
}

describe('MemoryScheduler', () => {
  it('runs enqueued jobs with their data on runPending()', async () => {
    const scheduler = new MemoryScheduler();
    const seen: Array<{ data: JobData; jobId: string; attempt: number }> = [];
    scheduler.define('echo', async (data, ctx) => {
      seen.push({ data, jobId: ctx.jobId, attempt: ctx.attempt });
    });
    const id = await scheduler.enqueue('echo', { userId: 'u-1' });
    expect(seen).toEqual([]);
    expect(await scheduler.runPending()).toEqual({ ran: 1, failed: 0 });
    expect(seen).toEqual([{ data: { userId: 'u-1' }, jobId: id, attempt: 1 }]);
    expect((await scheduler.listJobs({ limit: 10, skip: 0 })).total).toBe(0);
  });

  it('retries on the injected clock, then reports the job failed with its reason', async () => {
    const time = clock();
    const scheduler = new MemoryScheduler({ now: time.now });
    const attempts: number[] = [];
    const outcomes: JobOutcome[] = [];
    scheduler.onJobFinished((_name, outcome) => outcomes.push(outcome));
    scheduler.define(
      'flaky',
      async (_data, ctx) => {
        attempts.push(ctx.attempt);
        throw new Error('VK said no');
      },
      { retries: { maxRetries: 2, delayMs: 1000, factor: 3 } },
    );
    const id = await scheduler.enqueue('flaky', {});
    await scheduler.runPending();
    time.advance(999);
    await scheduler.runPending();
    expect(attempts).toEqual([1]);
    time.advance(1);
    await scheduler.runPending();
    time.advance(3000);
    await scheduler.runPending();
    expect(attempts).toEqual([1, 2, 3]);
    expect(outcomes).toEqual(['failed', 'failed', 'failed']);
    const { jobs } = await scheduler.listJobs({ state: 'failed', limit: 10, skip: 0 });
    expect(jobs).toMatchObject([{ id, failCount: 3, failReason: 'VK said no', nextRunAt: null }]);

    expect(await scheduler.retryJob(id)).toBe(true);
    await scheduler.runPending();
    expect(attempts).toEqual([1, 2, 3, 1]);
  });

  it('keeps one recurring job per name and runs it each interval', async () => {
    const time = clock();
    const scheduler = new MemoryScheduler({ now: time.now });
    const rounds: unknown[] = [];
    scheduler.define('tick', async (data) => {
      rounds.push(data.round);
    });
    await scheduler.every('tick', 60, { round: 1 });
    await scheduler.every('tick', 60, { round: 2 });
    await scheduler.runPending();
    time.advance(60_000);
    await scheduler.runPending();
    expect(rounds).toEqual([2, 2]);
    const { jobs } = await scheduler.listJobs({ name: 'tick', limit: 10, skip: 0 });
    expect(jobs).toMatchObject([{ state: 'repeating' }]);
  });

  it('coalesces pending jobs by unique key, but not with a running one', async () => {
    const scheduler = new MemoryScheduler();
    const ids: string[] = [];
    scheduler.define('push', async (data, ctx) => {
      // Work arriving while this run is in progress must get a run of its own.
      if (data.first) ids.push(await scheduler.enqueue('push', {}, { uniqueKey: 'u' }));
      ids.push(ctx.jobId);
    });
    const a = await scheduler.enqueue('push', { first: true }, { uniqueKey: 'u' });
    expect(await scheduler.enqueue('push', { first: true }, { uniqueKey: 'u' })).toBe(a);
    expect(await scheduler.enqueue('push', {}, { uniqueKey: 'other' })).not.toBe(a);
    expect(await scheduler.runPending()).toEqual({ ran: 3, failed: 0 });
    expect(ids[0]).not.toBe(a);
    expect(ids).toContain(a);
  });

  it('cancels by filter and by id, and pages the job list', async () => {
    const scheduler = new MemoryScheduler();
    const later = new Date(Date.now() + 3_600_000);
    await scheduler.enqueue('later', { userId: 'x' }, { runAt: later });
    const keep = await scheduler.enqueue('later', { userId: 'y' }, { runAt: later });
    const drop = await scheduler.enqueue('later', { userId: 'z' });
    expect(await scheduler.cancel('later', { userId: 'x' })).toBe(1);
    expect(await scheduler.cancelJob(drop)).toBe(true);
    expect(await scheduler.cancelJob(drop)).toBe(false);
    const page = await scheduler.listJobs({ name: 'later', state: 'scheduled', limit: 1, skip: 0 });
    expect(page).toMatchObject({ total: 1, jobs: [{ id: keep, data: { userId: 'y' } }] });
  });

  it('runs jobs as they are enqueued with runImmediately', async () => {
    const scheduler = new MemoryScheduler({ runImmediately: true });
    const chain: string[] = [];
    scheduler.define('first', async () => {
      chain.push('first');
      await scheduler.enqueue('second', {});
    });
    scheduler.define('second', async () => {
      chain.push('second');
    });
    await scheduler.enqueue('first', {});
    expect(chain).toEqual(['first', 'second']);
    expect(await scheduler.health()).toEqual({ ok: true, backend: 'memory' });
  });

  it('refuses data fields with the reserved prefix', async () => {
    const scheduler = new MemoryScheduler();
    await expect(scheduler.enqueue('x', { __uniqueKey: 'forged' })).rejects.toThrow(/reserved/);
  });
});
