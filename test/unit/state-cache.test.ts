/**
 * The state cache (src/application/commands/state-cache.ts): a state kept from an earlier fold
 * and advanced by any sequence of appended events equals the full fold of the stream, whoever
 * else holds and evolves the states it handed out (a push evolves its mirror state between
 * chunks), whether the events came through readState or the command handler, and after the
 * stream was recreated under the same store. fast-check; the seed is printed
 * (`STATE_CACHE_SEED` replays one).
 */
import { product as catalogProduct } from '../domain/catalog/fixtures.js';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CommandHandler } from '../../src/application/commands/command-handler.js';
import { readState } from '../../src/application/commands/load-state.js';
import {
  registerCachedDecider,
  StateCache,
  useStateCache,
} from '../../src/application/commands/state-cache.js';
import { storeCatalogDecider } from '../../src/domain/catalog/decide.js';
import type { CatalogProduct, StoreCatalogEvent } from '../../src/domain/catalog/events.js';
import { mirrorDecider } from '../../src/domain/mirror/decide.js';
import type { MirrorEvent } from '../../src/domain/mirror/events.js';
import type { Decider, DomainEvent } from '../../src/domain/shared/decider.js';
import { vkMarketDecider } from '../../src/domain/vk-market/decide.js';
import type { VkMarketEvent } from '../../src/domain/vk-market/events.js';
import { MemoryEventStore } from '../../src/infrastructure/eventstore/memory/memory-event-store.js';
import { propertySeed } from '../support/property.js';

const SEED = propertySeed('STATE_CACHE_SEED', 'state cache');
const RUNS = Number(process.env.STATE_CACHE_RUNS ?? 60);

const ids = { userId: 'u-1', storeId: 's-1' };
const META = { actor: 't', correlationId: 'c', occurredAt: '2026-11-28T08:00:00.000Z' };
const productId = fc.constantFrom('p-1', 'p-2', 'p-3');
const groupId = fc.constantFrom('g-1', 'g-2');
const at = fc.integer({ min: 1_700_000_000_000, max: 1_700_000_000_000 + 30 * 86_400_000 });
const iso = at.map((ms) => new Date(ms).toISOString());

const product = (id: string, priceKopecks: number): CatalogProduct =>
  catalogProduct(id, { groupId: 'g-1', priceKopecks });

const catalogEvent: fc.Arbitrary<StoreCatalogEvent> = fc.oneof(
  fc.tuple(groupId, fc.string()).map(([id, name]) => ({
    type: 'GroupAdded' as const,
    data: { ...ids, group: { id, parentId: null, name } },
  })),
  groupId.map((id) => ({ type: 'GroupRemoved' as const, data: { ...ids, groupId: id } })),
  fc.tuple(productId, fc.nat(100_000)).map(([id, price]) => ({
    type: 'ProductAdded' as const,
    data: { ...ids, product: product(id, price) },
  })),
  fc.tuple(productId, fc.nat(100_000), fc.nat(100_000)).map(([id, from, to]) => ({
    type: 'ProductChanged' as const,
    data: { ...ids, productId: id, changes: [{ field: 'priceKopecks' as const, from, to }] },
  })),
  productId.map((id) => ({ type: 'ProductRemoved' as const, data: { ...ids, productId: id } })),
  fc.tuple(fc.constantFrom('d-1', 'd-2', 'd-3'), at).map(([delivery, when]) => ({
    type: 'CatalogNotified' as const,
    data: { ...ids, delivery, at: when, products: 1, groups: 0, changes: 1 },
  })),
  fc.tuple(fc.constantFrom('r-1', 'r-2'), at).map(([receiptId, when]) => ({
    type: 'ReceiptRecorded' as const,
    data: { ...ids, receiptId, at: when, kind: 'SELL', lines: 1 },
  })),
) as fc.Arbitrary<StoreCatalogEvent>;

const sha = fc.constantFrom('sha-a', 'sha-b');
const mirrorEvent: fc.Arbitrary<MirrorEvent> = fc.oneof(
  fc.tuple(productId, fc.nat(9)).map(([id, n]) => ({
    type: 'VkItemCreateRequested' as const,
    data: { userId: 'u-1', productId: id, sku: id, requestId: `${id}-${n}` },
  })),
  fc.tuple(productId, fc.nat(99), iso).map(([id, itemId, when]) => ({
    type: 'VkItemHidden' as const,
    data: { userId: 'u-1', productId: id, itemId, at: when },
  })),
  fc.tuple(productId, fc.nat(99), iso).map(([id, albumId, when]) => ({
    type: 'VkItemAddedToAlbum' as const,
    data: { userId: 'u-1', productId: id, itemId: 1, albumId, at: when },
  })),
  fc.tuple(sha, fc.nat(99), productId, iso).map(([sha256, photoId, id, when]) => ({
    type: 'VkPhotoUploaded' as const,
    data: { userId: 'u-1', sha256, photoId, productId: id, at: when },
  })),
  fc.tuple(sha, productId, iso).map(([sha256, id, when]) => ({
    type: 'VkPhotoFailed' as const,
    data: {
      userId: 'u-1',
      productId: id,
      sha256,
      stage: 'upload' as const,
      message: 'нет',
      at: when,
      attempt: 1,
      nextRetryAt: null,
    },
  })),
  fc.tuple(fc.nat(50), iso).map(([revision, when]) => ({
    type: 'VkPushCompleted' as const,
    data: {
      userId: 'u-1',
      startedAt: when,
      productIds: null,
      failed: [],
      catalogRevisions: { 's-1': revision },
    },
  })),
) as fc.Arbitrary<MirrorEvent>;

const vkMarketEvent: fc.Arbitrary<VkMarketEvent> = fc.oneof(
  fc.tuple(fc.nat(3), fc.nat(100_000)).map(([id, price]) => ({
    type: 'VkItemObserved' as const,
    data: {
      userId: 'u-1',
      item: { id, sku: `p-${id}`, title: 't', price, albumIds: [], deleted: false },
    },
  })),
  fc
    .nat(3)
    .map((id) => ({ type: 'VkItemDisappeared' as const, data: { userId: 'u-1', itemId: id } })),
  iso.map((when) => ({
    type: 'VkMarketFetched' as const,
    data: { userId: 'u-1', startedAt: when, albums: 0, items: 0, changes: 0 },
  })),
) as unknown as fc.Arbitrary<VkMarketEvent>;

type Folding = Pick<Decider<unknown, DomainEvent, unknown>, 'initialState' | 'evolve'>;

/** What a step does: append a batch, read through the cache, and scribble on what it got. */
interface Step<E> {
  batch: E[];
  /** events a holder folds into the state it was handed (never appended) */
  scribble: E[];
  /** through the command handler (decide = the events themselves) instead of appendToStream */
  viaHandler: boolean;
}

const steps = <E>(event: fc.Arbitrary<E>) =>
  fc.array(
    fc.record({
      batch: fc.array(event, { maxLength: 5 }),
      scribble: fc.array(event, { maxLength: 3 }),
      viaHandler: fc.boolean(),
    }),
    { minLength: 1, maxLength: 12 },
  );

/** A decider whose commands are its events: the handler path without a real decide. */
function echo(decider: Folding): Decider<DomainEvent, DomainEvent, unknown> {
  const echoed = { ...decider, decide: (command: DomainEvent) => [command] };
  registerCachedDecider(echoed);
  return echoed;
}

async function expectCachedEqualsFold<E extends DomainEvent>(
  decider: Folding,
  plan: Step<E>[],
  recreateAt: number,
): Promise<void> {
  let store = new MemoryEventStore();
  const cache = useStateCache(store, new StateCache());
  const handled = echo(decider);
  let commands = new CommandHandler(store, { snapshotEvery: 0 });
  const stream = 'stream-1';
  let all: E[] = [];
  for (const [i, step] of plan.entries()) {
    if (i === recreateAt) {
      // The database recreated under a process that keeps its cache (the same cache object).
      store = new MemoryEventStore();
      useStateCache(store, cache);
      commands = new CommandHandler(store, { snapshotEvery: 0 });
      all = [];
    }
    if (step.batch.length > 0) {
      if (step.viaHandler) await commands.handleMany(handled, stream, step.batch, { actor: 't' });
      else
        await store.appendToStream(
          stream,
          step.batch.map((e) => ({ id: randomUUID(), type: e.type, data: e.data, metadata: META })),
        );
    }
    all = [...all, ...step.batch];
    const loaded = await readState(store, step.viaHandler ? handled : decider, stream);
    expect(loaded.state).toEqual(all.reduce(decider.evolve, decider.initialState()));
    expect(loaded.revision).toBe(all.length - 1);
    // The holder goes on evolving its copy in place, as a push does with its mirror.
    step.scribble.reduce(decider.evolve, loaded.state);
  }
  const final = await readState(store, decider, stream);
  expect(final.state).toEqual(all.reduce(decider.evolve, decider.initialState()));
}

const property = <E extends DomainEvent>(decider: Folding, event: fc.Arbitrary<E>) =>
  fc.assert(
    fc.asyncProperty(steps(event), fc.nat(15), (plan, recreateAt) =>
      expectCachedEqualsFold(decider, plan, recreateAt),
    ),
    { seed: SEED, numRuns: RUNS },
  );

describe('the state cache', () => {
  it('store catalog: a cached state advanced by appended events equals the full fold', () =>
    property(storeCatalogDecider as unknown as Folding, catalogEvent));

  it('mirror: the same, while holders evolve the states they were handed', () =>
    property(mirrorDecider as unknown as Folding, mirrorEvent));

  it('VK market: the same', () => property(vkMarketDecider as unknown as Folding, vkMarketEvent));

  it('a push that keeps evolving its state between chunks does not change the cached one', async () => {
    const store = new MemoryEventStore();
    const cache = useStateCache(store, new StateCache());
    const commands = new CommandHandler(store, { snapshotEvery: 0 });
    const handled = echo(mirrorDecider as unknown as Folding);
    const photo = (sha256: string, photoId: number) => ({
      type: 'VkPhotoUploaded',
      data: { userId: 'u-1', sha256, photoId, productId: 'p-1', at: '2026-11-28T08:00:00.000Z' },
    });
    const first = await readState(store, handled, 'm');
    const after = await commands.handleManyAt(handled, 'm', first, [photo('a', 1)], {
      actor: 't',
    });
    // The push evolves its state further without appending (as between a decide and a record).
    mirrorDecider.evolve(after.state as never, photo('b', 2) as never);
    expect(cache.size.streams).toBe(1);
    const read = await readState(store, handled, 'm');
    expect([...(read.state as { photos: Map<string, number> }).photos]).toEqual([['a', 1]]);
  });

  it('drops the least recently used streams beyond its bound', async () => {
    const store = new MemoryEventStore();
    const cache = useStateCache(store, new StateCache({ maxEntries: 1_000, maxStreams: 2 }));
    for (const stream of ['a', 'b', 'c']) {
      await store.appendToStream(stream, [
        {
          id: randomUUID(),
          type: 'VkMarketFetched',
          data: { startedAt: '2026-11-28T08:00:00Z' },
          metadata: META,
        },
      ]);
      await readState(store, vkMarketDecider, stream);
    }
    expect(cache.size.streams).toBe(2);
    cache.hits = 0;
    await readState(store, vkMarketDecider, 'c');
    expect(cache.hits).toBe(1);
    await readState(store, vkMarketDecider, 'a');
    expect(cache.misses).toBeGreaterThan(0);
  });
});
