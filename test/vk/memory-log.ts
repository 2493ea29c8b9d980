import type {
  ApiRequestLog,
  ApiRequestLogEntry,
} from '../../src/application/ports/api-request-log.js';

/** The request log port kept in memory, so tests can read what would be stored. */
export class MemoryApiRequestLog implements ApiRequestLog {
  readonly entries: ApiRequestLogEntry[] = [];

  record(entry: ApiRequestLogEntry): void {
    this.entries.push(entry);
  }

  async flush(): Promise<void> {}
}
