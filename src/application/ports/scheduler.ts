/**
 * Background jobs: fetches, VK pushes, the periodic pipeline. Production runs it on Agenda
 * (Redis or MongoDB); unit tests use the in-memory implementation.
 *
 * Delivery is at least once: a job may run twice (an expired lock, a crash after the work but
 * before the bookkeeping, two pending jobs despite a unique key). Every handler must be
 * idempotent.
 */

/** Job data is a JSON object: it is stored by the backend and may be read by an admin. */
export type JobData = Record<string, unknown>;

/** Keys starting with this are reserved for the scheduler's own bookkeeping. */
export const RESERVED_DATA_PREFIX = '__';

export interface JobContext {
  jobId: string;
  /** 1 on the first run, 2 on the first retry, … */
  attempt: number;
  /** Renews the job's lock; a job running longer than its lock lifetime must call it. */
  touch(): Promise<void>;
  /** Aborted when the job is cancelled or the process stops before it finishes. */
  signal: AbortSignal;
}

export type JobHandler<D extends JobData = JobData> = (data: D, ctx: JobContext) => Promise<void>;

export interface RetryPolicy {
  /** retries after the first failure; 0 = never retry */
  maxRetries: number;
  /** delay before the first retry */
  delayMs: number;
  /** each further retry waits `factor` times longer */
  factor: number;
}

export interface DefineOptions {
  /** jobs of this name running at once in one process */
  concurrency?: number;
  /** a run that neither finishes nor calls `touch()` within this time may be run again */
  lockLifetimeMs?: number;
  /** no retries without a policy */
  retries?: RetryPolicy;
}

export interface EnqueueOptions {
  /**
   * At most one *pending* (not yet started) job of this name with this key: enqueueing again
   * while one waits returns the waiting job. A job that already started does not count, so
   * work arriving during a run gets a run of its own. Best effort (check, then insert):
   * handlers stay idempotent.
   */
  uniqueKey?: string;
  /** default: now */
  runAt?: Date;
}

export type JobState = 'scheduled' | 'queued' | 'running' | 'completed' | 'failed' | 'repeating';

export interface JobInfo {
  id: string;
  name: string;
  data: JobData;
  uniqueKey: string | null;
  /**
   * `failed` means the last run failed; a non-null `nextRunAt` then means a retry is
   * scheduled, null means the retries are exhausted.
   */
  state: JobState;
  nextRunAt: Date | null;
  lastRunAt: Date | null;
  lastFinishedAt: Date | null;
  failCount: number;
  failReason: string | null;
}

export interface ListJobsQuery {
  name?: string;
  state?: JobState;
  limit: number;
  skip: number;
}

export interface SchedulerHealth {
  ok: boolean;
  /** `redis`, `mongodb`, `memory` */
  backend: string;
  detail?: string;
}

export type JobOutcome = 'ok' | 'failed';
export type JobFinishedListener = (name: string, outcome: JobOutcome, durationMs: number) => void;

export interface Scheduler {
  /** Registers a handler; call it before `start()`. Processes that only enqueue need none. */
  define<D extends JobData>(name: string, handler: JobHandler<D>, options?: DefineOptions): void;
  /** A one-off job; resolves to its id (the pending job's id when coalesced by `uniqueKey`). */
  enqueue(name: string, data: JobData, options?: EnqueueOptions): Promise<string>;
  /** One recurring job per name: calling it again updates it, never adds a second one. */
  every(name: string, intervalSeconds: number, data?: JobData): Promise<void>;
  /** Removes jobs of this name whose data has every field of `filter`; returns how many. */
  cancel(name: string, filter?: JobData): Promise<number>;
  /** Starts processing defined jobs in this process. Enqueueing and listing work without it. */
  start(): Promise<void>;
  /**
   * Stops taking new jobs, waits up to `drainTimeoutMs` for running ones (then aborts their
   * signals) and closes the connection.
   */
  stop(options?: { drainTimeoutMs?: number }): Promise<void>;
  health(): Promise<SchedulerHealth>;

  listJobs(query: ListJobsQuery): Promise<{ jobs: JobInfo[]; total: number }>;
  /** Runs a failed (or any not running) job again now, with a fresh retry budget. */
  retryJob(id: string): Promise<boolean>;
  /** Removes one job; a run in progress in this process gets its signal aborted. */
  cancelJob(id: string): Promise<boolean>;

  /** For metrics; called once per run in the process that ran it. Returns an unsubscribe. */
  onJobFinished(listener: JobFinishedListener): () => void;
}

/** Exponential delay before retry number `retry` (1-based), as both implementations apply it. */
export function retryDelayMs(policy: RetryPolicy, retry: number): number | null {
  if (retry > policy.maxRetries) return null;
  return Math.round(policy.delayMs * Math.pow(policy.factor, retry - 1));
}

/** True when every field of `filter` equals (by JSON value) the same field of `data`. */
export function dataMatches(data: JobData, filter: JobData | undefined): boolean {
  if (!filter) return true;
  return Object.entries(filter).every(
    ([key, value]) => JSON.stringify(data[key]) === JSON.stringify(value),
  );
}
