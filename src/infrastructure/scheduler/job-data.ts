import { RESERVED_DATA_PREFIX, type JobData } from '../../application/ports/scheduler.js';

/** Where a job's unique key travels in its stored data (both backends can query data fields). */
export const UNIQUE_KEY_FIELD = `${RESERVED_DATA_PREFIX}uniqueKey`;

export function assertOwnData(data: JobData): void {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new TypeError('job data must be a JSON object');
  }
  const reserved = Object.keys(data).find((key) => key.startsWith(RESERVED_DATA_PREFIX));
  if (reserved) throw new Error(`job data field ${reserved} uses a reserved prefix`);
}

/** The data as the caller gave it: without the scheduler's bookkeeping fields. */
export function stripReserved(data: unknown): JobData {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return {};
  return Object.fromEntries(
    Object.entries(data).filter(([key]) => !key.startsWith(RESERVED_DATA_PREFIX)),
  );
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
