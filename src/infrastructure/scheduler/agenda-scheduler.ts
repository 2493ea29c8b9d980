import { hostname } from 'node:os';
import { Agenda, Job, exponential, type AgendaBackend, type JobWithState } from 'agenda';
import {
  dataMatches,
  retryDelayMs,
  type DefineOptions,
  type EnqueueOptions,
  type JobData,
  type JobFinishedListener,
  type JobHandler,
  type JobInfo,
  type JobOutcome,
  type ListJobsQuery,
  type Scheduler,
  type SchedulerHealth,
} from '../../application/ports/scheduler.js';
import type { Logger } from '../logging/logger.js';
import {
  agendaBackendKind,
  backendAddress,
  createAgendaBackend,
  probeTcp,
  preconnected,
  redisKeyPrefix,
  type AgendaBackendKind,
} from './agenda-backend.js';
import { UNIQUE_KEY_FIELD, assertOwnData, errorMessage, stripReserved } from './job-data.js';
import { sleep } from '../shared/sleep.js';
import { openUniqueJobIndex, type UniqueJobIndex } from './unique-index.js';

export interface AgendaSchedulerOptions {
  /** `redis://…` or `mongodb://…` (AGENDA_URL) */
  url: string;
  logger: Logger;
  /** Redis key prefix / MongoDB collection; a unique one per test file. */
  namespace?: string;
  /** this process's name in the job records (`lastModifiedBy`) */
  processName?: string;
  /** polling interval; Redis also notifies new jobs at once, MongoDB relies on polling */
  processEveryMs?: number;
  maxConcurrency?: number;
  /** default 10 s: within the 15 s a process gets to stop (src/main/process.ts) */
  drainTimeoutMs?: number;
}

/**
 * Locks are short and kept alive by a heartbeat while the handler runs: a job of a worker that
 * was killed (`kill -9`, a lost machine) is free for another worker a minute after its last
 * heartbeat, instead of after Agenda's 10-minute default. Both backends take over a job whose
 * `lockedAt` is older than the lifetime (Redis in a Lua script, MongoDB in one
 * `findOneAndUpdate`), so this holds on either.
 */
export const DEFAULT_LOCK_LIFETIME_MS = 60_000;
/** Heartbeats per lock lifetime: two may be lost (a slow backend) before the lock expires. */
const HEARTBEATS_PER_LIFETIME = 3;

interface Definition {
  handler: JobHandler<JobData>;
  options: DefineOptions;
}

/**
 * The scheduler port on Agenda 6. Connects lazily on first use, so a web process can enqueue
 * without ever calling `start()`; a worker calls `start()` to process. One-off jobs that
 * succeed are removed (they would pile up, one per push); failed ones stay for the admin
 * monitor until retried or cancelled.
 */
export class AgendaScheduler implements Scheduler {
  readonly backendKind: AgendaBackendKind;
  private readonly definitions = new Map<string, Definition>();
  private readonly running = new Map<string, AbortController>();
  private readonly listeners = new Set<JobFinishedListener>();
  private readonly log: Logger;
  private readonly processName: string;
  private connecting:
    Promise<{ agenda: Agenda; backend: AgendaBackend; unique: UniqueJobIndex }> | undefined;
  private agenda: Agenda | undefined;
  private started = false;

  constructor(private readonly options: AgendaSchedulerOptions) {
    this.backendKind = agendaBackendKind(options.url);
    this.log = options.logger.child({ component: 'scheduler' });
    this.processName = options.processName ?? `${hostname()}:${process.pid}`;
  }

  define<D extends JobData>(name: string, handler: JobHandler<D>, options: DefineOptions = {}) {
    if (this.definitions.has(name)) throw new Error(`job ${name} is already defined`);
    const definition = { handler: handler as JobHandler<JobData>, options };
    this.definitions.set(name, definition);
    // Otherwise `open()` registers it once connected.
    if (this.agenda) this.register(this.agenda, name, definition);
  }

  async enqueue(name: string, data: JobData, options: EnqueueOptions = {}): Promise<string> {
    assertOwnData(data);
    const { agenda, unique } = await this.connection();
    const { uniqueKey } = options;
    if (uniqueKey !== undefined) {
      const pending = await this.findPending(unique, name, uniqueKey);
      if (pending) return pending;
    }
    const job = agenda.create<JobData>(
      name,
      uniqueKey === undefined ? data : { ...data, [UNIQUE_KEY_FIELD]: uniqueKey },
    );
    job.schedule(options.runAt ?? new Date());
    await job.save();
    const id = String(job.attrs._id);
    if (uniqueKey !== undefined) await unique.add(name, uniqueKey, id);
    return id;
  }

  async every(name: string, intervalSeconds: number, data: JobData = {}): Promise<void> {
    assertOwnData(data);
    if (!(intervalSeconds > 0)) throw new Error('intervalSeconds must be positive');
    const agenda = await this.connect();
    // `every` upserts the one "single" job of this name. On Redis the upsert is check-then-set:
    // two processes starting at the same instant could each create one (then both run).
    await agenda.every(Math.round(intervalSeconds * 1000), name, data);
  }

  async cancel(name: string, filter?: JobData): Promise<number> {
    const agenda = await this.connect();
    // The backends match data loosely (Redis compares JSON substrings): select exactly here.
    const { jobs } = await agenda.queryJobs(filter ? { name, data: filter } : { name });
    const ids = jobs
      .filter((job) => dataMatches(stripReserved(job.data), filter))
      .map((job) => String(job._id));
    if (ids.length === 0) return 0;
    for (const id of ids) this.running.get(id)?.abort(new Error('job cancelled'));
    return agenda.cancel({ ids });
  }

  async start(): Promise<void> {
    const agenda = await this.connect();
    await agenda.start();
    this.started = true;
  }

  async stop(options: { drainTimeoutMs?: number } = {}): Promise<void> {
    const connecting = this.connecting;
    if (!connecting) return;
    this.connecting = undefined;
    this.agenda = undefined;
    const opened = await connecting.catch(() => null);
    if (!opened) return;
    const { agenda, backend } = opened;
    if (this.started) {
      this.started = false;
      await this.drain(agenda, options.drainTimeoutMs ?? this.options.drainTimeoutMs ?? 10_000);
    }
    await backend.disconnect();
  }

  /**
   * `agenda.drain()` alone stops taking jobs but, with completed jobs removed, can miss the
   * end of the last one and wait for its whole timeout; so we poll the processor's own count.
   */
  private async drain(agenda: Agenda, timeoutMs: number): Promise<void> {
    const abortDrain = new AbortController();
    const drained = agenda.drain({ signal: abortDrain.signal, closeConnection: false });
    const deadline = Date.now() + timeoutMs;
    let running = await runningCount(agenda, this.running.size);
    while (running > 0 && Date.now() < deadline) {
      await sleep(50);
      running = await runningCount(agenda, this.running.size);
    }
    abortDrain.abort();
    await drained;
    if (running > 0) {
      // Their locks stay until they expire; then another worker runs them again.
      this.log.warn({ running }, 'jobs still running after the drain timeout');
      for (const controller of this.running.values()) controller.abort(new Error('shutting down'));
      return;
    }
    // Jobs this process locked ahead of their time but never started would otherwise wait for
    // their lock to expire before another worker takes them.
    const { jobs } = await agenda.queryJobs({ state: 'running' });
    const ours = jobs.filter((job) => job.lastModifiedBy === this.processName);
    if (ours.length > 0) await agenda.db.unlockJobs(ours.map((job) => job._id));
  }

  async health(): Promise<SchedulerHealth> {
    let timer: NodeJS.Timeout | undefined;
    // The Redis client queues commands while it reconnects: a probe must not hang with it.
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error('no answer within 3 s')), 3_000);
    });
    try {
      const probe = this.connect().then((agenda) => agenda.db.getQueueSize());
      const queued = await Promise.race([probe, timeout]);
      return { ok: true, backend: this.backendKind, detail: `${queued} due` };
    } catch (error) {
      return { ok: false, backend: this.backendKind, detail: errorMessage(error) };
    } finally {
      clearTimeout(timer);
    }
  }

  async listJobs(query: ListJobsQuery): Promise<{ jobs: JobInfo[]; total: number }> {
    const agenda = await this.connect();
    const { jobs, total } = await agenda.queryJobs({
      ...(query.name !== undefined && { name: query.name }),
      ...(query.state !== undefined && { state: query.state }),
      includeDisabled: false,
      sort: { nextRunAt: 'asc', lastRunAt: 'desc' },
      skip: query.skip,
      limit: query.limit,
    });
    return { jobs: jobs.map(toJobInfo), total };
  }

  async retryJob(id: string): Promise<boolean> {
    const agenda = await this.connect();
    const found = await this.findById(agenda, id);
    if (!found || found.lockedAt) return false;
    const { state: _state, ...attrs } = found;
    // A fresh retry budget, and no failedAt so the monitor shows it queued rather than failed.
    // `Job.save()` leaves these processor fields alone, hence the state write first.
    const retried = { ...attrs, nextRunAt: new Date(), failCount: 0, failedAt: undefined };
    await agenda.db.saveJobState(retried, { lastModifiedBy: this.processName });
    // Saving through a Job also notifies the workers (Redis) instead of waiting for a poll.
    await new Job(agenda, retried).save();
    return true;
  }

  async cancelJob(id: string): Promise<boolean> {
    const agenda = await this.connect();
    if (!(await this.findById(agenda, id))) return false;
    this.running.get(id)?.abort(new Error('job cancelled'));
    return (await agenda.cancel({ id })) > 0;
  }

  onJobFinished(listener: JobFinishedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async connect(): Promise<Agenda> {
    return (await this.connection()).agenda;
  }

  private connection() {
    this.connecting ??= this.open().catch((error: unknown) => {
      this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }

  private async open(): Promise<{
    agenda: Agenda;
    backend: AgendaBackend;
    unique: UniqueJobIndex;
  }> {
    const { url } = this.options;
    const where = `${this.backendKind === 'redis' ? 'Redis' : 'MongoDB'} at ${backendAddress(url)}`;
    if (this.backendKind === 'redis') {
      const problem = await probeTcp(url);
      if (problem) throw new Error(`AGENDA_URL: cannot reach ${where} (${problem})`);
    }
    // One log line per outage, not one per reconnection attempt.
    let down = false;
    const { backend } = createAgendaBackend(url, {
      namespace: this.options.namespace,
      onConnectionError: (error) => {
        if (down) return;
        down = true;
        this.log.error({ reason: error.message }, `AGENDA_URL: lost the connection to ${where}`);
      },
      onReconnected: () => {
        if (!down) return;
        down = false;
        this.log.info({}, `AGENDA_URL: connected to ${where} again`);
      },
    });
    try {
      await backend.connect();
    } catch (error) {
      await backend.disconnect().catch(() => {});
      throw new Error(`AGENDA_URL: cannot use ${where} (${errorMessage(error)})`);
    }
    const agenda = new Agenda({
      backend: preconnected(backend),
      name: this.processName,
      processEvery: this.options.processEveryMs ?? 5_000,
      ...(this.options.maxConcurrency !== undefined && {
        maxConcurrency: this.options.maxConcurrency,
      }),
      removeOnComplete: true,
    });
    agenda.on('error', (error: Error) => this.log.error({ reason: error.message }, 'agenda error'));
    await agenda.ready;
    const unique = await openUniqueJobIndex(agenda, redisKeyPrefix(this.options.namespace));
    this.agenda = agenda;
    for (const [name, definition] of this.definitions) this.register(agenda, name, definition);
    return { agenda, backend, unique };
  }

  private register(agenda: Agenda, name: string, { handler, options }: Definition): void {
    const { retries } = options;
    agenda.define<JobData>(name, (job) => this.run(name, job, handler, options), {
      ...(options.concurrency !== undefined && { concurrency: options.concurrency }),
      lockLifetime: options.lockLifetimeMs ?? DEFAULT_LOCK_LIFETIME_MS,
      ...(retries && {
        backoff: exponential({
          delay: retries.delayMs,
          factor: retries.factor,
          maxRetries: retries.maxRetries,
          jitter: 0,
        }),
      }),
    });
  }

  private async run(
    name: string,
    job: Job<JobData>,
    handler: JobHandler<JobData>,
    options: DefineOptions,
  ): Promise<void> {
    const jobId = String(job.attrs._id);
    const attempt = (job.attrs.failCount ?? 0) + 1;
    const controller = new AbortController();
    this.running.set(jobId, controller);
    const startedAt = performance.now();
    let outcome: JobOutcome = 'failed';
    // Renewing the lock never throws into the handler or the process: a failed renewal is
    // logged, and a lock truly lost shows as the job's signal aborted.
    const touch = async () => {
      try {
        if (job.getCanceledMessage()) controller.abort(new Error('lock lost'));
        await job.touch();
      } catch (error) {
        this.log.warn({ job: name, jobId, reason: errorMessage(error) }, 'could not renew a lock');
      }
    };
    const lifetime = options.lockLifetimeMs ?? DEFAULT_LOCK_LIFETIME_MS;
    const heartbeat = setInterval(
      () => void touch(),
      Math.max(100, Math.floor(lifetime / HEARTBEATS_PER_LIFETIME)),
    );
    try {
      await handler(stripReserved(job.attrs.data), {
        jobId,
        attempt,
        signal: controller.signal,
        touch,
      });
      outcome = 'ok';
    } catch (error) {
      const willRetry = options.retries ? retryDelayMs(options.retries, attempt) !== null : false;
      // Data is not logged: it may name users, and a careless caller could put a token in it.
      this.log[willRetry ? 'warn' : 'error'](
        { job: name, jobId, attempt, willRetry, reason: errorMessage(error) },
        willRetry ? 'job failed, will retry' : 'job failed',
      );
      throw error instanceof Error ? error : new Error(errorMessage(error));
    } finally {
      clearInterval(heartbeat);
      this.running.delete(jobId);
      const durationMs = performance.now() - startedAt;
      for (const listener of this.listeners) {
        try {
          listener(name, outcome, durationMs);
        } catch (error) {
          this.log.warn({ reason: errorMessage(error) }, 'job-finished listener threw');
        }
      }
    }
  }

  /** A job of this name and key that has not started yet (a scheduled retry counts). */
  private async findPending(
    unique: UniqueJobIndex,
    name: string,
    key: string,
  ): Promise<string | null> {
    const jobs = await unique.jobs(name, key);
    const pending = jobs.find(
      (job) =>
        (job.data as JobData)[UNIQUE_KEY_FIELD] === key &&
        !job.lockedAt &&
        !job.disabled &&
        job.nextRunAt !== null,
    );
    return pending ? String(pending._id) : null;
  }

  private async findById(agenda: Agenda, id: string) {
    try {
      return (await agenda.queryJobs({ id })).jobs[0] ?? null;
    } catch {
      // MongoDB rejects ids that are not ObjectIds: such a job does not exist.
      return null;
    }
  }
}

async function runningCount(agenda: Agenda, fallback: number): Promise<number> {
  try {
    const { runningJobs } = await agenda.getRunningStats();
    return typeof runningJobs === 'number' ? runningJobs : runningJobs.length;
  } catch {
    // The processor is gone once Agenda's own drain has finished.
    return fallback;
  }
}

function toJobInfo(job: JobWithState): JobInfo {
  const raw = (job.data ?? {}) as JobData;
  const key = raw[UNIQUE_KEY_FIELD];
  return {
    id: String(job._id),
    name: job.name,
    data: stripReserved(raw),
    uniqueKey: typeof key === 'string' ? key : null,
    // We never disable jobs; should someone do it by hand, it is not going to run.
    state: job.state === 'paused' ? 'scheduled' : job.state,
    nextRunAt: job.nextRunAt ?? null,
    lastRunAt: job.lastRunAt ?? null,
    lastFinishedAt: job.lastFinishedAt ?? null,
    failCount: job.failCount ?? 0,
    failReason: job.failReason ?? null,
  };
}
