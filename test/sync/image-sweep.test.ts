import { product } from '../domain/catalog/fixtures.js';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DAY_MS,
  imageListing,
  SWEEP_OVERLAP,
  sweepWindow,
} from '../../src/application/sync/image-listing.js';
import { decideStoreCatalog } from '../../src/domain/catalog/decide.js';
import { evolveStoreCatalog, initialStoreCatalogState } from '../../src/domain/catalog/state.js';
import { propertySeed } from '../support/property.js';

const MINUTE_MS = 60_000;

/**
 * Runs at irregular times over a day and a span, each at most the sweep's span after the one
 * before: the gaps, as shares of the span, repeat in turn.
 */
const runsArb = fc
  .record({
    intervalMinutes: fc.integer({ min: 5, max: 24 * 60 }),
    start: fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2030, 0, 1) }),
    // early runs (a manual «Синхронизировать сейчас») and late ones (a busy worker) alike
    gaps: fc.array(fc.double({ min: 0.2, max: 1, noNaN: true }), { minLength: 1, maxLength: 50 }),
    ids: fc.array(fc.uuid(), { minLength: 1, maxLength: 40 }),
  })
  .map(({ intervalMinutes, start, gaps, ids }) => {
    const intervalMs = intervalMinutes * MINUTE_MS;
    const span = Math.min(DAY_MS, intervalMs * SWEEP_OVERLAP);
    const times = [start];
    while (times.at(-1)! - start < DAY_MS + span)
      times.push(times.at(-1)! + Math.max(1, Math.floor(gaps[times.length % gaps.length]! * span)));
    return { intervalMs, times, ids };
  });

describe('the image sweep', () => {
  it('covers every product at least once in any day (plus a span) of runs at most a span apart', () => {
    const seed = propertySeed('SWEEP_SEED', 'image sweep');
    fc.assert(
      fc.property(runsArb, ({ intervalMs, times, ids }) => {
        const covered = new Set<string>();
        for (const t of times) {
          const due = sweepWindow(new Date(t), intervalMs);
          for (const id of ids) if (due(id)) covered.add(id);
        }
        expect([...covered].sort()).toEqual([...new Set(ids)].sort());
        return true;
      }),
      { seed, numRuns: 60 },
    );
  });

  it('re-lists about a span’s share of the catalog per run', () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => `product-${i}`);
    const due = sweepWindow(new Date(Date.UTC(2026, 10, 28, 9)), 3600_000);
    const share = ids.filter(due).length / ids.length;
    // 1.5 hours of 24: 6.25 %, give or take the hash's spread over 20,000 ids
    expect(share).toBeGreaterThan(0.055);
    expect(share).toBeLessThan(0.07);
  });
});

describe('which products a fetch lists the images of', () => {
  const image = {
    sha256: 'a'.repeat(64),
    evotorId: 'img-1',
    url: 'http://evotor/images/1.png',
    fileSize: 10,
    width: 300,
    height: 300,
  };

  it('lists new, changed and never-read products, and swept ones; keeps the recorded images known', () => {
    const recorded = new Map([
      ['same', product('same', { images: [image] })],
      ['priced', product('priced', { images: [image] })],
      // recorded by an Evotor notification, or before images were read: images unknown
      ['notified', product('notified')],
      ['swept', product('swept', { images: [] })],
    ]);
    const listing = imageListing(recorded, (id) => id === 'swept');

    expect(listing.wants(product('same'))).toBe(false);
    expect(listing.wants(product('priced', { priceKopecks: 12_345 }))).toBe(true);
    expect(listing.wants(product('notified'))).toBe(true);
    expect(listing.wants(product('new'))).toBe(true);
    expect(listing.wants(product('swept'))).toBe(true);
    expect(listing.listed).toEqual({ changed: 3, swept: 1 });
    expect(listing.known('same')).toEqual([image]);
    expect(listing.known('new')).toBeUndefined();
  });

  it('a notification keeps a product’s recorded images; one it adds is listed by the next fetch', () => {
    // A notification knows no images. A changed product keeps the recorded ones (its photo
    // stays in VK; an image changed with it is re-read by the sweep); a product it adds has
    // none known, so the next fetch lists it.
    const ids = { userId: 'u', storeId: 's' };
    let state = initialStoreCatalogState();
    const record = (command: Parameters<typeof decideStoreCatalog>[0]) => {
      const events = decideStoreCatalog(command, state, { now: new Date(), newId: randomUUID });
      for (const event of events) state = evolveStoreCatalog(state, event);
      return events;
    };
    const [fetched, notified] = [product('a', { images: [image] }), product('b')];
    record({
      type: 'RecordEvotorStoreSnapshot',
      ...ids,
      groups: [],
      products: [fetched, { ...notified, images: [image] }],
      complete: true,
    });
    const changed = product('b', { priceKopecks: 55_500 });
    const added = product('c');
    const events = record({
      type: 'RecordEvotorProductsNotified',
      ...ids,
      groups: [],
      products: [changed, added],
      delivery: 'd1',
    });

    expect(events.map((e) => e.type)).toEqual([
      'ProductChanged',
      'ProductAdded',
      'CatalogNotified',
    ]);
    const priceOnly = events[0]!.type === 'ProductChanged' ? events[0]!.data.changes : [];
    expect(priceOnly.map((c) => c.field)).toEqual(['priceKopecks']);
    expect(state.products.get('b')?.images).toEqual([image]);
    const listing = imageListing(state.products, () => false);
    expect(listing.wants(product('a'))).toBe(false);
    expect(listing.wants(changed)).toBe(false);
    expect(listing.wants(added)).toBe(true);
    expect(imageListing(state.products, (id) => id === 'b').wants(changed)).toBe(true);
  });
});
