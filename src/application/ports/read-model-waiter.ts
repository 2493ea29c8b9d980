import type { Position } from './event-store.js';

/**
 * Read your own writes: resolves once the read models have caught up with `position` (bounded:
 * after the deadline it resolves anyway and the page may show slightly older data).
 */
export interface ReadModelWaiter {
  waitFor(position: Position | null): Promise<void>;
}
