export interface Backoff {
  /** the wait before the first retry (attempt 0) */
  baseMs: number;
  /** no wait grows beyond this */
  maxMs: number;
}

/** base · 2^attempt, capped: the ceiling of the wait before retry number `attempt` (from 0). */
export function backoffCeiling(attempt: number, backoff: Backoff): number {
  // Math.min before the power would overflow to Infinity only past attempt ~1000; the cap
  // keeps the result finite either way.
  return Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, attempt));
}

/**
 * A wait between half the ceiling and the ceiling, so many workers retrying after the same
 * failure do not retry in step, while every wait still grows with the attempt.
 */
export function jitteredBackoff(attempt: number, backoff: Backoff, random = Math.random): number {
  const ceiling = backoffCeiling(attempt, backoff);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
