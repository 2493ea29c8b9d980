import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturedLogger } from '../support/captured-logger.js';
import type { JobOutcome } from '../../src/application/ports/scheduler.js';
import { AgendaScheduler } from '../../src/infrastructure/scheduler/agenda-scheduler.js';
import {
  LOCAL_REDIS_URL,
  deferred,
  dropNamespace,
  uniqueNamespace,
  waitFor,
} from './redis-namespace.js';

/**
 * Short locks and their heartbeat on the Redis backend: a job may run far longer than its
 * lock lifetime without calling `touch()`, and a renewal that fails never reaches the job or
 * the process as an error. (A killed worker's job taken over by a restarted one is shown with
 * real processes in test/processes/worker-crash.test.ts.)
 */
const namespace = uniqueNamespace('agenda-locks');
const { logger, lines: logLines } = capturedLogger('info');
const options = { url: LOCAL_REDIS_URL, logger, namespace, processEveryMs: 100 };
const worker = new AgendaScheduler({ ...options, processName: 'worker-a' });
/** a second worker on the same queue, and the admin's view of it */
const other = new AgendaScheduler({ ...options, processName: 'worker-b' });

const LIFETIME_MS = 300;
const finished: Array<{ name: string; outcome: JobOutcome }> = [];
const runs: Record<string, number> = { long: 0 };
const renewalStarted = deferred<string>();
const renewalRelease = deferred();
let renewalTouched: 'resolved' | 'rejected' | null = null;

beforeAll(async () => {
  for (const scheduler of [worker, other]) {
    scheduler.define(
      'long',
      async () => {
        runs.long = (runs.long ?? 0) + 1;
        // Five lock lifetimes of work without a single touch() from the job itself.
        await new Promise((resolve) => setTimeout(resolve, LIFETIME_MS * 5));
      },
      { lockLifetimeMs: LIFETIME_MS },
    );
    scheduler.onJobFinished((name, outcome) => finished.push({ name, outcome }));
  }
  worker.define(
    'renewal',
    async (_data, ctx) => {
      renewalStarted.resolve(ctx.jobId);
      await renewalRelease.promise;
      renewalTouched = await ctx.touch().then(
        () => 'resolved' as const,
        () => 'rejected' as const,
      );
    },
    { lockLifetimeMs: LIFETIME_MS },
  );
  await worker.start();
});

afterAll(async () => {
  renewalRelease.resolve();
  await worker.stop({ drainTimeoutMs: 5_000 });
  await other.stop({ drainTimeoutMs: 5_000 });
  await dropNamespace(namespace);
});

describe('short job locks kept alive by a heartbeat', () => {
  it('lets a job run for many lock lifetimes, once, while another worker polls', async () => {
    await other.start();
    await worker.enqueue('long', {});
    const done = await waitFor(() => finished.find((f) => f.name === 'long'), 'the long job');
    expect(done.outcome).toBe('ok');
    expect(runs.long).toBe(1);
  });

  it('never lets a failed renewal reach the job or the process', async () => {
    await worker.enqueue('renewal', {});
    const jobId = await renewalStarted.promise;
    // The job disappears under the running worker (an admin cancels it elsewhere): renewing
    // its lock now fails in the backend.
    expect(await other.cancelJob(jobId)).toBe(true);
    renewalRelease.resolve();
    await waitFor(() => renewalTouched ?? undefined, 'the job to renew its lock');
    expect(renewalTouched).toBe('resolved');
    await waitFor(
      () => logLines.some((line) => line.includes('could not renew a lock')),
      'the failed renewal to be logged',
    );
  });
});
