import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ApiRequestLog, ApiRequestLogEntry } from '../../application/ports/api-request-log.js';
import type { Scheduler } from '../../application/ports/scheduler.js';
import type { StateCache } from '../../application/commands/state-cache.js';
import type { ProjectionStatus } from '../projections/projection-runner.js';

export type ProjectionStatusSource = () => Promise<
  Array<Pick<ProjectionStatus, 'name' | 'state' | 'lagEvents' | 'failure'>>
>;

/**
 * One Prometheus registry per process (web or worker), with its own default process metrics,
 * so tests and several apps in one process never share counters. Label values are all from
 * bounded sets (route patterns, job names, API methods, event types): never ids or raw URLs.
 */
/** The worst VK lag across users and how many users lag (projections/sync-lag). */
export type VkLagSource = () => Promise<{ oldestChangeAt: Date | null; users: number }>;

export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly jobs: Counter<'name' | 'outcome'>;
  readonly jobDuration: Histogram<'name'>;
  readonly apiCalls: Counter<'service' | 'method' | 'outcome'>;
  readonly apiDuration: Histogram<'service'>;
  readonly eventsAppended: Counter<'category' | 'type'>;
  private projectionSources: ProjectionStatusSource[] = [];
  private vkLagSource: VkLagSource | null = null;
  private stateCache: StateCache | null = null;

  constructor(options: { prefix?: string; defaultMetrics?: boolean } = {}) {
    const p = options.prefix ?? 'evosync_';
    const registers = [this.registry];
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.httpDuration = new Histogram({
      name: `${p}http_request_duration_seconds`,
      help: 'HTTP requests by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.jobs = new Counter({
      name: `${p}jobs_total`,
      help: 'Background job runs by job name and outcome (ok, failed)',
      labelNames: ['name', 'outcome'],
      registers,
    });
    this.jobDuration = new Histogram({
      name: `${p}job_duration_seconds`,
      help: 'Background job run time by job name',
      labelNames: ['name'],
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900],
      registers,
    });
    this.apiCalls = new Counter({
      name: `${p}external_api_calls_total`,
      help: 'Evotor and VK calls by service, method and outcome (ok or the error code)',
      labelNames: ['service', 'method', 'outcome'],
      registers,
    });
    this.apiDuration = new Histogram({
      name: `${p}external_api_call_duration_seconds`,
      help: 'Evotor and VK call time by service',
      labelNames: ['service'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.eventsAppended = new Counter({
      name: `${p}events_appended_total`,
      help: 'Events appended through this process, by stream category and event type',
      labelNames: ['category', 'type'],
      registers,
    });
    const lag = async () => (this.vkLagSource ? await this.vkLagSource() : null);
    new Gauge({
      name: `${p}vk_lag_seconds`,
      help: 'Age of the oldest Evotor change not yet in VK, over the users whose sync pushes; 0 when VK has everything',
      registers,
      async collect() {
        const now = await lag();
        if (now)
          this.set(now.oldestChangeAt ? (Date.now() - now.oldestChangeAt.getTime()) / 1000 : 0);
      },
    });
    new Gauge({
      name: `${p}vk_lagging_users`,
      help: 'Users with an Evotor change not yet in VK',
      registers,
      async collect() {
        const now = await lag();
        if (now) this.set(now.users);
      },
    });
    const sources = () => this.projectionSources;
    new Gauge({
      name: `${p}projection_lag_events`,
      help: 'Events between a projection checkpoint and the head of the store (MariaDB store); 0 when idle, growing when stuck',
      labelNames: ['projection'],
      registers,
      async collect() {
        this.reset();
        for (const status of await collectStatuses(sources())) {
          if (status.lagEvents !== undefined)
            this.set({ projection: status.name }, status.lagEvents);
        }
      },
    });
    new Gauge({
      name: `${p}projection_state`,
      help: 'A projection runner state: 1 for the current state',
      labelNames: ['projection', 'state'],
      registers,
      async collect() {
        this.reset();
        for (const status of await collectStatuses(sources())) {
          this.set({ projection: status.name, state: status.state }, 1);
        }
      },
    });
    new Gauge({
      name: `${p}projection_failed_attempts`,
      help: 'Failed attempts in a row of a projection on one event (a poison event) or without one; 0 when it goes on',
      labelNames: ['projection'],
      registers,
      async collect() {
        this.reset();
        for (const status of await collectStatuses(sources())) {
          this.set({ projection: status.name }, status.failure?.attempts ?? 0);
        }
      },
    });
    const cache = () => this.stateCache;
    new Counter({
      name: `${p}state_cache_lookups_total`,
      help: 'Folds that looked for a state kept from an earlier fold, by outcome (hit, miss)',
      labelNames: ['outcome'],
      registers,
      collect() {
        const kept = cache();
        if (!kept) return;
        this.reset();
        this.inc({ outcome: 'hit' }, kept.hits);
        this.inc({ outcome: 'miss' }, kept.misses);
      },
    });
    new Gauge({
      name: `${p}state_cache_size`,
      help: 'What the state cache holds: streams, and entries (map and set members) against its limit',
      labelNames: ['unit'],
      registers,
      collect() {
        const kept = cache();
        if (!kept) return;
        this.set({ unit: 'streams' }, kept.size.streams);
        this.set({ unit: 'entries' }, kept.size.entries);
      },
    });
  }

  /** The folds' state cache of this process (issue 17), for its hit counts and size. */
  observeStateCache(cache: StateCache): void {
    this.stateCache = cache;
  }

  /** Where the VK lag gauges read from (the sync-lag read table); one per process. */
  setVkLagSource(source: VkLagSource): void {
    this.vkLagSource = source;
  }

  /** Where the projection gauges read from (the worker's runners); several sources add up. */
  addProjectionStatusSource(source: ProjectionStatusSource): void {
    this.projectionSources.push(source);
  }

  observeHttp(method: string, route: string, status: number, seconds: number): void {
    this.httpDuration.observe({ method, route, status: String(status) }, seconds);
  }

  /** Counts every job run this process finishes; returns the unsubscribe. */
  observeScheduler(scheduler: Scheduler): () => void {
    return scheduler.onJobFinished((name, outcome, durationMs) => {
      this.jobs.inc({ name, outcome });
      this.jobDuration.observe({ name }, durationMs / 1000);
    });
  }

  /** Wraps the API request log: every recorded call is also counted, then passed on. */
  apiRequestLog(inner: ApiRequestLog): ApiRequestLog {
    return {
      record: (entry) => {
        // Counting must not break the "record never throws" promise of the port.
        try {
          this.apiCalls.inc({
            service: entry.service,
            method: entry.method,
            outcome: outcome(entry),
          });
          this.apiDuration.observe({ service: entry.service }, entry.durationMs / 1000);
        } catch {
          // a metric failure is not worth losing the log record
        }
        inner.record(entry);
      },
      flush: () => inner.flush(),
    };
  }

  countAppended(streamId: string, types: readonly string[]): void {
    const category = streamCategory(streamId);
    for (const type of types) this.eventsAppended.inc({ category, type });
  }

  /** The exposition text and its content type, for `GET /metrics`. */
  async expose(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** `ok`, the error code (VK's number, a client-side error name), `http_<status>` or `no_answer`. */
export function outcome(entry: ApiRequestLogEntry): string {
  if (entry.errorCode) return String(entry.errorCode);
  if (entry.status === null) return 'no_answer';
  if (entry.status >= 400) return `http_${entry.status}`;
  return 'ok';
}

/** EventStoreDB's category convention: the stream id up to its first dash (`sync-config-…` → `sync`). */
export function streamCategory(streamId: string): string {
  const dash = streamId.indexOf('-');
  return dash > 0 ? streamId.slice(0, dash) : streamId;
}

async function collectStatuses(sources: ProjectionStatusSource[]) {
  // A failing source must not fail the whole scrape: its projections are just left out.
  const lists = await Promise.all(sources.map((s) => s().catch(() => [])));
  return lists.flat();
}
