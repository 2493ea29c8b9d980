import { afterAll, describe, expect, it } from 'vitest';
import type { JobOutcome } from '../../src/application/ports/scheduler.js';
import { createLogger } from '../../src/infrastructure/logging/logger.js';
import { AgendaScheduler } from '../../src/infrastructure/scheduler/agenda-scheduler.js';
import { LOCAL_REDIS_URL, deferred, dropNamespace, uniqueNamespace } from './redis-namespace.js';

const namespace = uniqueNamespace('agenda-drain');
const logger = createLogger({ level: 'silent' });

const newScheduler = (suffix: string) =>
  new AgendaScheduler({
    url: LOCAL_REDIS_URL,
    logger,
    namespace: `${namespace}:${suffix}`,
    processEveryMs: 100,
  });

afterAll(async () => {
  await dropNamespace(namespace);
});

describe('AgendaScheduler.stop', () => {
  it('waits for a running job to finish', async () => {
    const scheduler = newScheduler('drain');
    const started = deferred();
    let finishedWork = false;
    const outcomes: JobOutcome[] = [];
    scheduler.define('long', async () => {
      started.resolve();
      await new Promise((resolve) => setTimeout(resolve, 300));
      finishedWork = true;
    });
    scheduler.onJobFinished((_name, outcome) => outcomes.push(outcome));
    await scheduler.start();
    await scheduler.enqueue('long', {});
    await started.promise;

    await scheduler.stop({ drainTimeoutMs: 10_000 });

    expect(finishedWork).toBe(true);
    expect(outcomes).toEqual(['ok']);
  });

  it('aborts the signal of a job still running at the drain timeout', async () => {
    const scheduler = newScheduler('timeout');
    const started = deferred();
    const aborted = deferred<unknown>();
    scheduler.define('stuck', async (_data, ctx) => {
      started.resolve();
      await new Promise<void>((_resolve, reject) => {
        ctx.signal.addEventListener('abort', () => {
          aborted.resolve(ctx.signal.reason);
          reject(new Error('aborted'));
        });
      });
    });
    await scheduler.start();
    await scheduler.enqueue('stuck', {});
    await started.promise;

    await scheduler.stop({ drainTimeoutMs: 100 });

    expect(await aborted.promise).toBeInstanceOf(Error);
  });

  it('closes a scheduler that only enqueued, and a stopped one can be stopped again', async () => {
    const scheduler = newScheduler('enqueue-only');
    const id = await scheduler.enqueue('never-defined-here', { n: 1 });
    const { jobs } = await scheduler.listJobs({ limit: 10, skip: 0 });
    expect(jobs.map((j) => j.id)).toEqual([id]);
    await scheduler.stop();
    await scheduler.stop();
  });
});
