import {
  dataMatches,
  retryDelayMs,
  type DefineOptions,
  type EnqueueOptions,
  type JobData,
  type JobFinishedListener,
  type JobHandler,
  type JobInfo,
  type JobState,
  type ListJobsQuery,
  type Scheduler,
  type SchedulerHealth,
} from '../../src/application/ports/scheduler.js';
import { assertOwnData, errorMessage } from '../../src/infrastructure/scheduler/job-data.js';

export interface MemorySchedulerOptions {
  /**
   * false (default): jobs wait until the test calls `runPending()`.
   * true: `enqueue`, `every` and `retryJob` resolve only after every due job ran, including
   * the jobs those runs enqueued — for tests of whole flows.
   */
  runImmediately?: boolean;
  /** Decides what is due; a test moves it forward to reach scheduled runs and retries. */
  now?: () => Date;
}

interface MemoryJob {
  id: string;
  name: string;
  data: JobData;
  uniqueKey: string | null;
  repeatSeconds: number | null;
  nextRunAt: Date | null;
  lastRunAt: Date | null;
  lastFinishedAt: Date | null;
  failedAt: Date | null;
  failCount: number;
  failReason: string | null;
  running: AbortController | null;
}

/** Runaway guard: a handler that enqueues itself forever would otherwise never return. */
const MAX_RUNS_PER_CALL = 10_000;

/**
 * The scheduler port in memory, for unit tests of code that uses it. Jobs run one at a time, in
 * `nextRunAt` order, and behave as on Agenda: retries follow the policy (their delays measured
 * on the injected clock), a one-off job that succeeds disappears, a failed one stays.
 * No locks, so `lockLifetimeMs` and `concurrency` are accepted and ignored.
 */
export class MemoryScheduler implements Scheduler {
  private readonly jobs = new Map<string, MemoryJob>();
  private readonly definitions = new Map<string, { handler: JobHandler; options: DefineOptions }>();
  private readonly listeners = new Set<JobFinishedListener>();
  private readonly now: () => Date;
  private sequence = 0;
  private draining: Promise<{ ran: number; failed: number }> | null = null;

  constructor(private readonly options: MemorySchedulerOptions = {}) {
    this.now = options.now ?? (() => new Date());
  }

  define<D extends JobData>(name: string, handler: JobHandler<D>, options: DefineOptions = {}) {
    if (this.definitions.has(name)) throw new Error(`job ${name} is already defined`);
    this.definitions.set(name, { handler: handler as JobHandler, options });
  }

  async enqueue(name: string, data: JobData, options: EnqueueOptions = {}): Promise<string> {
    assertOwnData(data);
    const uniqueKey = options.uniqueKey ?? null;
    const pending =
      uniqueKey === null
        ? undefined
        : [...this.jobs.values()].find(
            (job) =>
              job.name === name &&
              job.uniqueKey === uniqueKey &&
              !job.running &&
              job.nextRunAt !== null,
          );
    const id = pending?.id ?? this.add(name, data, uniqueKey, null, options.runAt ?? this.now()).id;
    await this.afterChange();
    return id;
  }

  async every(name: string, intervalSeconds: number, data: JobData = {}): Promise<void> {
    assertOwnData(data);
    if (!(intervalSeconds > 0)) throw new Error('intervalSeconds must be positive');
    const existing = [...this.jobs.values()].find((j) => j.name === name && j.repeatSeconds);
    if (existing) {
      existing.data = structuredClone(data);
      existing.repeatSeconds = intervalSeconds;
    } else {
      this.add(name, data, null, intervalSeconds, this.now());
    }
    await this.afterChange();
  }

  async cancel(name: string, filter?: JobData): Promise<number> {
    const doomed = [...this.jobs.values()].filter(
      (job) => job.name === name && dataMatches(job.data, filter),
    );
    for (const job of doomed) this.remove(job);
    return doomed.length;
  }

  async start(): Promise<void> {
    await this.afterChange();
  }

  /** Waits for a `runPending()` in progress; after the timeout, aborts the running job. */
  async stop(options: { drainTimeoutMs?: number } = {}): Promise<void> {
    if (!this.draining) return;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), options.drainTimeoutMs ?? 10_000);
    });
    const outcome = await Promise.race([this.draining.catch(() => null), timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      for (const job of this.jobs.values()) job.running?.abort(new Error('shutting down'));
    }
  }

  async health(): Promise<SchedulerHealth> {
    return { ok: true, backend: 'memory' };
  }

  async listJobs(query: ListJobsQuery): Promise<{ jobs: JobInfo[]; total: number }> {
    const now = this.now();
    const all = [...this.jobs.values()]
      .filter((job) => query.name === undefined || job.name === query.name)
      .map((job) => this.info(job, now))
      .filter((job) => query.state === undefined || job.state === query.state)
      .sort((a, b) => (a.nextRunAt?.getTime() ?? Infinity) - (b.nextRunAt?.getTime() ?? Infinity));
    return { jobs: all.slice(query.skip, query.skip + query.limit), total: all.length };
  }

  async retryJob(id: string): Promise<boolean> {
    const job = this.jobs.get(id);
    if (!job || job.running) return false;
    Object.assign(job, { failCount: 0, failedAt: null, nextRunAt: this.now() });
    await this.afterChange();
    return true;
  }

  async cancelJob(id: string): Promise<boolean> {
    const job = this.jobs.get(id);
    if (!job) return false;
    this.remove(job);
    return true;
  }

  onJobFinished(listener: JobFinishedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Runs every defined job that is due by the clock, one at a time, until none is due (jobs
   * enqueued meanwhile and retries without delay included). Jobs without a handler stay.
   */
  runPending(): Promise<{ ran: number; failed: number }> {
    this.draining ??= this.drain().finally(() => (this.draining = null));
    return this.draining;
  }

  private async drain(): Promise<{ ran: number; failed: number }> {
    let ran = 0;
    let failed = 0;
    for (let job = this.nextDue(); job; job = this.nextDue()) {
      if (++ran > MAX_RUNS_PER_CALL) throw new Error('runPending: too many runs, a job loops');
      if (!(await this.run(job))) failed++;
    }
    return { ran, failed };
  }

  private nextDue(): MemoryJob | undefined {
    const now = this.now().getTime();
    return [...this.jobs.values()]
      .filter((job) => !job.running && job.nextRunAt && job.nextRunAt.getTime() <= now)
      .filter((job) => this.definitions.has(job.name))
      .sort((a, b) => a.nextRunAt!.getTime() - b.nextRunAt!.getTime())[0];
  }

  private async run(job: MemoryJob): Promise<boolean> {
    const { handler, options } = this.definitions.get(job.name)!;
    const startedAt = this.now();
    const attempt = job.failCount + 1;
    job.running = new AbortController();
    job.lastRunAt = startedAt;
    job.nextRunAt = job.repeatSeconds
      ? new Date(startedAt.getTime() + job.repeatSeconds * 1000)
      : null;
    const clock = performance.now();
    let ok = false;
    try {
      await handler(structuredClone(job.data), {
        jobId: job.id,
        attempt,
        touch: async () => {},
        signal: job.running.signal,
      });
      ok = true;
      Object.assign(job, { failCount: 0, lastFinishedAt: this.now() });
      if (!job.repeatSeconds) this.jobs.delete(job.id);
    } catch (error) {
      const failedAt = this.now();
      Object.assign(job, { failCount: attempt, failedAt, lastFinishedAt: failedAt });
      job.failReason = errorMessage(error);
      const delay = options.retries ? retryDelayMs(options.retries, attempt) : null;
      if (delay !== null) job.nextRunAt = new Date(failedAt.getTime() + delay);
    } finally {
      job.running = null;
    }
    for (const listener of this.listeners) {
      listener(job.name, ok ? 'ok' : 'failed', performance.now() - clock);
    }
    return ok;
  }

  private async afterChange(): Promise<void> {
    // From inside a run, the outer runPending() loop picks the new job up.
    if (this.options.runImmediately && !this.draining) await this.runPending();
  }

  private add(
    name: string,
    data: JobData,
    uniqueKey: string | null,
    repeatSeconds: number | null,
    nextRunAt: Date,
  ): MemoryJob {
    const job: MemoryJob = {
      id: `mem-${++this.sequence}`,
      name,
      data: structuredClone(data),
      uniqueKey,
      repeatSeconds,
      nextRunAt,
      lastRunAt: null,
      lastFinishedAt: null,
      failedAt: null,
      failCount: 0,
      failReason: null,
      running: null,
    };
    this.jobs.set(job.id, job);
    return job;
  }

  private remove(job: MemoryJob): void {
    job.running?.abort(new Error('job cancelled'));
    this.jobs.delete(job.id);
  }

  private info(job: MemoryJob, now: Date): JobInfo {
    return {
      id: job.id,
      name: job.name,
      data: structuredClone(job.data),
      uniqueKey: job.uniqueKey,
      state: stateOf(job, now),
      nextRunAt: job.nextRunAt,
      lastRunAt: job.lastRunAt,
      lastFinishedAt: job.lastFinishedAt,
      failCount: job.failCount,
      failReason: job.failReason,
    };
  }
}

/** The same rules as Agenda's `computeJobState`, so both implementations list alike. */
function stateOf(job: MemoryJob, now: Date): JobState {
  if (job.running) return 'running';
  if (job.failedAt && (!job.lastFinishedAt || job.failedAt >= job.lastFinishedAt)) return 'failed';
  if (job.repeatSeconds) return 'repeating';
  if (job.nextRunAt) return job.nextRunAt > now ? 'scheduled' : 'queued';
  return 'completed';
}
