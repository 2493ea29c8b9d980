import { describe, expect, it } from 'vitest';
import { backoffCeiling, jitteredBackoff } from '../../src/infrastructure/shared/backoff.js';
import { sleep } from '../../src/infrastructure/shared/sleep.js';

describe('the one back-off', () => {
  const backoff = { baseMs: 100, maxMs: 1000 };

  it('doubles from the base and stops at the cap', () => {
    expect([0, 1, 2, 3, 4, 50].map((a) => backoffCeiling(a, backoff))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });

  it('waits between half the ceiling and the ceiling', () => {
    expect(jitteredBackoff(2, backoff, () => 0)).toBe(200);
    expect(jitteredBackoff(2, backoff, () => 0.5)).toBe(300);
    expect(jitteredBackoff(2, backoff, () => 0.999_999)).toBe(400);
  });
});

describe('the one sleep', () => {
  it('resolves when its signal aborts, long before the wait is over', async () => {
    const abort = new AbortController();
    const slept = sleep(3_600_000, abort.signal).then(() => 'woke');
    abort.abort();
    await expect(slept).resolves.toBe('woke');
  });

  it('resolves at once on an aborted signal and after the wait without one', async () => {
    await expect(sleep(3_600_000, AbortSignal.abort())).resolves.toBeUndefined();
    await expect(sleep(1)).resolves.toBeUndefined();
  });
});
