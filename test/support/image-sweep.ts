import { DAY_MS, SWEEP_OVERLAP, sweepPhase } from '../../src/application/sync/image-listing.js';
import type { SyncHarness } from './sync-harness.js';

/** The sweep's span at the default run interval of an hour (what the harness's fetch uses). */
export const HOURLY_SPAN_MS = SWEEP_OVERLAP * 3600_000;

const ofDay = (ms: number) => ((ms % DAY_MS) + DAY_MS) % DAY_MS;

/** The products whose image lists Evotor was asked for since its request log was cleared. */
export function listedImageIds(h: SyncHarness): string[] {
  return h.evotor.admin
    .requests({ path: /\/images$/ })
    .map((r) => decodeURIComponent(/\/products\/([^/]+)\/images$/.exec(r.path)![1]!))
    .sort();
}

/** Whether a run at `at` re-lists the product: its phase lies in the hour and a half before. */
export const inHourlySweep = (at: Date, productId: string) =>
  ofDay(at.getTime() - sweepPhase(productId)) < HOURLY_SPAN_MS;

/** Moves the harness clock forward to a second after the product's phase: its sweep is due. */
export function moveClockToSweepOf(h: SyncHarness, productId: string): void {
  h.advance(ofDay(sweepPhase(productId) + 1000 - h.clock().getTime()));
}

/**
 * Moves the harness clock forward to a time whose sweep window holds none of the products: the
 * end of the first gap between their phases wider than the window.
 */
export function moveClockOutOfSweep(h: SyncHarness, productIds: readonly string[]): void {
  const phases = productIds.map(sweepPhase).sort((a, b) => a - b);
  const gap = phases.findIndex(
    (p, i) => (phases[i + 1] ?? phases[0]! + DAY_MS) - p > HOURLY_SPAN_MS + 2000,
  );
  if (gap < 0) throw new Error('no gap in the products’ phases wider than the sweep window');
  h.advance(ofDay(phases[gap]! + HOURLY_SPAN_MS + 1000 - h.clock().getTime()));
}
