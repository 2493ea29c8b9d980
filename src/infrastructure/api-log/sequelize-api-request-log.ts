import { QueryTypes, type Sequelize } from 'sequelize';
import type { ApiRequestLog, ApiRequestLogEntry } from '../../application/ports/api-request-log.js';
import { withTuples, type SqlCell } from '../db/sql-literal.js';
import { sqlTime } from '../db/sql-time.js';
import type { Logger } from '../logging/logger.js';

export interface SequelizeApiRequestLogOptions {
  logger?: Logger;
  /** rows per INSERT; a full buffer is written at once */
  batchSize?: number;
  /** the longest a record waits in memory before it is written */
  flushIntervalMs?: number;
  /** beyond this (database down), the oldest records are dropped rather than eat memory */
  maxBuffered?: number;
}

const COLUMNS =
  'at, service, method, url, status, error_code, duration_ms, request_excerpt, response_excerpt, user_id';

const cut = (value: string | null | undefined, max: number): string | null =>
  value === null || value === undefined ? null : value.length > max ? value.slice(0, max) : value;

/**
 * The request log in MariaDB. Calls must never wait on it or fail because of it, so `record`
 * only buffers; batches go out in the background and a failed write is logged and dropped.
 */
export class SequelizeApiRequestLog implements ApiRequestLog {
  private buffer: ApiRequestLogEntry[] = [];
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  private readonly batchSize: number;
  private readonly flushIntervalMs: number;
  private readonly maxBuffered: number;

  constructor(
    private readonly sequelize: Sequelize,
    private readonly options: SequelizeApiRequestLogOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 200;
    this.flushIntervalMs = options.flushIntervalMs ?? 1000;
    this.maxBuffered = options.maxBuffered ?? 10_000;
  }

  record(entry: ApiRequestLogEntry): void {
    this.buffer.push(entry);
    if (this.buffer.length > this.maxBuffered) {
      const dropped = this.buffer.splice(0, this.buffer.length - this.maxBuffered).length;
      this.options.logger?.warn({ dropped }, 'api request log buffer full, oldest records dropped');
    }
    if (this.buffer.length >= this.batchSize) {
      void this.flush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.flushIntervalMs);
      // A pending log write must not keep a finished CLI command alive.
      this.timer.unref();
    }
  }

  /** Writes everything recorded so far; resolves when it is in the database (or given up). */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const batch = this.buffer;
    this.buffer = [];
    // Chained, so a flush also waits for writes started before it.
    this.writing = this.writing.then(() => this.write(batch));
    return this.writing;
  }

  /** Deletes records older than `days`; returns how many went. Chunked to keep locks short. */
  async purgeOlderThan(days: number, now: Date = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - days * 86_400_000);
    let total = 0;
    for (;;) {
      const [, meta] = await this.sequelize.query(
        'DELETE FROM api_request_log WHERE at < ? ORDER BY at LIMIT 5000',
        { replacements: [sqlTime(cutoff)] },
      );
      const affected = (meta as { affectedRows?: number } | undefined)?.affectedRows ?? 0;
      total += affected;
      if (affected < 5000) return total;
    }
  }

  private async write(entries: ApiRequestLogEntry[]): Promise<void> {
    for (let i = 0; i < entries.length; i += this.batchSize) {
      const chunk = entries.slice(i, i + this.batchSize);
      try {
        // The statement's text built here: excerpts are JSON, which the replacements' escaper
        // rebuilds at every quote (see sql-literal).
        await this.sequelize.query(
          withTuples(`INSERT INTO api_request_log (${COLUMNS}) VALUES ?`, chunk.map(row)),
          { type: QueryTypes.INSERT },
        );
      } catch (err) {
        this.options.logger?.warn(
          { err: err instanceof Error ? err.message : String(err), records: chunk.length },
          'api request log write failed, records dropped',
        );
      }
    }
  }
}

function row(e: ApiRequestLogEntry): SqlCell[] {
  return [
    // As text to the millisecond: the order of a push's calls.
    sqlTime(e.at),
    e.service,
    cut(e.method, 255),
    cut(e.url, 2048) ?? '',
    e.status ?? null,
    cut(e.errorCode, 64),
    Math.max(0, Math.round(e.durationMs)),
    cut(e.requestExcerpt, 16_000),
    cut(e.responseExcerpt, 16_000),
    cut(e.userId, 64),
  ];
}
