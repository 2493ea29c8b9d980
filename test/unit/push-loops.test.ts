/**
 * One loop of pushes per user in a worker (src/application/sync/vk-push-job.ts): requests that
 * arrive while the user's push runs join its next round instead of waiting in a job of their own.
 */
import { describe, expect, it } from 'vitest';
import type { JobContext } from '../../src/application/ports/scheduler.js';
import { SYNC_JOBS } from '../../src/application/sync/sync-jobs.js';
import { PushLoops, pushLoop, type Wanted } from '../../src/application/sync/vk-push-job.js';
import {
  newPushReport,
  type PushReport,
  type PushRequest,
} from '../../src/application/sync/vk-push.js';
import { MemoryScheduler } from '../support/memory-scheduler.js';

const report = (outcome: PushReport['outcome'] = 'done'): PushReport => ({
  ...newPushReport(),
  outcome,
});
const logger = { info: () => undefined, warn: () => undefined };
const context = (): JobContext => ({
  jobId: 'job-1',
  attempt: 1,
  touch: async () => undefined,
  signal: new AbortController().signal,
});
const full: Wanted = { kind: 'full' };
const changes: Wanted = { kind: 'changes' };

describe('PushLoops', () => {
  it('lets one loop run per user and merges what arrives meanwhile into the covering request', () => {
    const loops = new PushLoops();
    const loop = loops.enter('u-1', changes)!;
    expect(loop.next).toEqual(changes);
    expect(loops.enter('u-2', full)).not.toBeNull(); // another user's loop is its own

    loop.next = null; // the loop took its request
    expect(loops.enter('u-1', changes)).toBeNull();
    expect(loop.next).toEqual(changes);
    expect(loops.enter('u-1', changes)).toBeNull();
    expect(loop.next).toEqual(changes);
    expect(loops.enter('u-1', full)).toBeNull();
    expect(loop.next).toEqual(full);
    expect(loops.enter('u-1', changes)).toBeNull();
    expect(loop.next).toEqual(full); // a full push covers changes

    loop.next = null;
    expect(loops.enter('u-1', { kind: 'products', ids: ['p-1'] })).toBeNull();
    expect(loop.next).toEqual({ kind: 'products', ids: ['p-1'] });
    expect(loops.enter('u-1', changes)).toBeNull();
    expect(loop.next).toEqual(full); // named products and changes: only a full push covers both

    expect(loops.leave('u-1')).toEqual(full);
    expect(loops.enter('u-1', changes)).not.toBeNull();
  });

  it('hands back, on leaving, a request that came after the loop last looked', async () => {
    const loops = new PushLoops();
    const scheduler = new MemoryScheduler();
    const loop = loops.enter('u-1', changes)!;
    await pushLoop({ scheduler, logger }, loop, 'u-1', context(), async () => ({
      acquired: true,
      value: report(),
    }));
    // The loop found nothing more and returned; its job has not left yet when a request comes.
    expect(loops.enter('u-1', { kind: 'products', ids: ['p-9'] })).toBeNull();
    expect(loops.leave('u-1')).toEqual({ kind: 'products', ids: ['p-9'] });
    expect(loops.leave('u-1')).toBeNull();
    expect(loops.enter('u-1', changes)).not.toBeNull(); // the next request starts a new loop
  });
});

describe('pushLoop', () => {
  it('runs a request that arrived during a push right after it, in the same job', async () => {
    const loops = new PushLoops();
    const scheduler = new MemoryScheduler();
    const loop = loops.enter('u-1', changes)!;
    const asked: Array<PushRequest | undefined> = [];
    await pushLoop({ scheduler, logger }, loop, 'u-1', context(), async (pushId, request) => {
      asked.push(request);
      // The mirror saga asks for a full push while the first push runs.
      if (asked.length === 1) expect(loops.enter('u-1', full)).toBeNull();
      return { acquired: true, value: report(asked.length === 1 ? 'done' : 'nothing_to_do') };
    });
    expect(asked).toEqual(['changes', undefined]);
    const { jobs } = await scheduler.listJobs({ name: SYNC_JOBS.vkPush, skip: 0, limit: 10 });
    expect(jobs).toEqual([]);
  });

  it('leaves a full push to a job 5 s later when another worker holds the user’s lock', async () => {
    const scheduler = new MemoryScheduler();
    const loop = new PushLoops().enter('u-1', full)!;
    const before = Date.now();
    let tries = 0;
    await pushLoop({ scheduler, logger }, loop, 'u-1', context(), async () => {
      tries++;
      return { acquired: false };
    });
    expect(tries).toBe(1);
    expect(loop.next).toBeNull(); // handed to the job: leaving finds nothing more
    const { jobs } = await scheduler.listJobs({ name: SYNC_JOBS.vkPush, skip: 0, limit: 10 });
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.nextRunAt!.getTime()).toBeGreaterThanOrEqual(before + 5_000);
  });

  it('keeps trying the lock for a push of changes, and pushes once the other worker is done', async () => {
    const scheduler = new MemoryScheduler();
    const loop = new PushLoops().enter('u-1', changes)!;
    let tries = 0;
    await pushLoop({ scheduler, logger }, loop, 'u-1', context(), async (_id, request) => {
      expect(request).toBe('changes');
      return ++tries < 3 ? { acquired: false } : { acquired: true, value: report() };
    });
    expect(tries).toBe(3);
    const { jobs } = await scheduler.listJobs({ name: SYNC_JOBS.vkPush, skip: 0, limit: 10 });
    expect(jobs).toEqual([]);
  });
});
