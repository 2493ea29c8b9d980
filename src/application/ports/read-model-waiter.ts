import type { Position } from './event-store.js';

/**
 * Read your own writes: resolves once the named read models (projections) have caught up with
 * `position` (bounded: after the deadline it resolves anyway and the page may show slightly
 * older data). Only projections that handle the appended event can reach its position, so the
 * caller names the ones it will read next.
 */
export interface ReadModelWaiter {
  waitFor(position: Position | null, projections?: string[]): Promise<void>;
}
