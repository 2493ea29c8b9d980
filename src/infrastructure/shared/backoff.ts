export interface Backoff {
  /** the wait before the first retry (attempt 0) */
  baseMs: number;
  /** no wait grows beyond this */
  maxMs: number;
  /** how much each wait grows over the one before (default 2) */
  factor?: number;
  /** the share of the ceiling a jittered wait may fall short of it (default 0.5) */
  jitter?: number;
}

/**
 * base · factor^attempt, capped: the ceiling of the wait before retry number `attempt` (from 0).
 */
export function backoffCeiling(attempt: number, backoff: Backoff): number {
  // The power overflows to Infinity only past attempt ~1000; the cap keeps the result finite.
  return Math.min(backoff.maxMs, backoff.baseMs * (backoff.factor ?? 2) ** Math.max(0, attempt));
}

/**
 * A wait between (1 − jitter) of the ceiling and the ceiling (by default half), so many workers
 * retrying after the same failure do not retry in step, while every wait still grows.
 */
export function jitteredBackoff(attempt: number, backoff: Backoff, random = Math.random): number {
  const ceiling = backoffCeiling(attempt, backoff);
  const jitter = backoff.jitter ?? 0.5;
  return Math.round(ceiling * (1 - jitter) + random() * ceiling * jitter);
}
