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

  it('takes another factor and jitter (the EventStoreDB reconnects: ×3, up to 30 % short)', () => {
    const esdb = { baseMs: 200, maxMs: 10_000, factor: 3, jitter: 0.3 };
    expect([0, 1, 2, 5].map((a) => backoffCeiling(a, esdb))).toEqual([200, 600, 1800, 10_000]);
    expect(jitteredBackoff(1, esdb, () => 0)).toBe(420);
    expect(jitteredBackoff(1, esdb, () => 0.999_999)).toBe(600);
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
