import { createHash } from 'node:crypto';
import { productChanges } from '../../domain/catalog/decide.js';
import type { CatalogProduct } from '../../domain/catalog/events.js';
import type { ImageListing } from './ports.js';

/**
 * Which products' images an Evotor fetch lists. The product list carries no image field, and
 * nothing in Evotor's documentation says an image change touches the product (its
 * `updated_at` or anything else listed), so: the products that are new or changed since the
 * recorded catalog, those whose images were never read (recorded without them), and a rolling
 * sweep of the unchanged ones that catches an image changed on its own within a day.
 */

export const DAY_MS = 24 * 3600_000;

/** The interval the sweep is sized from when the caller does not say (the pipeline's default). */
export const DEFAULT_RUN_INTERVAL_SECONDS = 3600;

/**
 * How far back a run's sweep window reaches, in run intervals: a run up to half an interval
 * late still leaves no product between its window and the previous run's.
 */
export const SWEEP_OVERLAP = 1.5;

/** A product's place in the day (ms after midnight UTC): its sweep comes as the clock passes it. */
export function sweepPhase(productId: string): number {
  const hash = createHash('sha256').update(productId).digest();
  return Math.floor((hash.readUInt32BE(0) / 2 ** 32) * DAY_MS);
}

/**
 * The products a run at `now` re-lists although unchanged: those whose phase lies in the
 * window (now − span, now] of the day, span = SWEEP_OVERLAP run intervals (at most a day).
 * Stateless: runs at most a span apart cover every phase, so every product, once a day.
 */
export function sweepWindow(now: Date, runIntervalMs: number): (productId: string) => boolean {
  const span = Math.min(DAY_MS, runIntervalMs * SWEEP_OVERLAP);
  if (span >= DAY_MS) return () => true;
  const end = now.getTime() % DAY_MS;
  return (productId) => (((end - sweepPhase(productId)) % DAY_MS) + DAY_MS) % DAY_MS < span;
}

/** Whether a listed product differs from its recorded self in anything but its images. */
export function changedSinceRecorded(
  recorded: CatalogProduct | undefined,
  listed: CatalogProduct,
): boolean {
  return !recorded || productChanges(recorded, { ...listed, images: undefined }).length > 0;
}

/**
 * The listing plan of one store's fetch. `listed` counts the products whose images were
 * asked for, by reason, for the fetch's log line and the tests.
 */
export function imageListing(
  recorded: ReadonlyMap<string, CatalogProduct>,
  swept: (productId: string) => boolean,
): ImageListing & { listed: { changed: number; swept: number } } {
  const listed = { changed: 0, swept: 0 };
  return {
    listed,
    wants(product) {
      const old = recorded.get(product.id);
      // Recorded without images (a notification, or before images were read): never read yet.
      if (old?.images === undefined || changedSinceRecorded(old, product)) {
        listed.changed++;
        return true;
      }
      if (!swept(product.id)) return false;
      listed.swept++;
      return true;
    },
    known: (productId) => recorded.get(productId)?.images,
  };
}
