import { describe, expect, it, vi } from 'vitest';
import {
  CommandHandler,
  StaleRevisionError,
  appendParts,
  deterministicId,
} from '../../src/application/commands/command-handler.js';
import { loadState, readState } from '../../src/application/commands/load-state.js';
import { registerSnapshotCodec } from '../../src/application/commands/snapshotted.js';
import { storeCatalogDecider } from '../../src/domain/catalog/decide.js';
import type { CatalogProduct } from '../../src/domain/catalog/events.js';
import type {
  EventStore,
  NewEvent,
  RecordedEvent,
} from '../../src/application/ports/event-store.js';
import { DomainError, type Decider } from '../../src/domain/shared/decider.js';
import { MemoryEventStore } from '../../src/infrastructure/eventstore/memory/memory-event-store.js';

type Event = { type: 'Incremented'; data: { by: number } };
type Command = { type: 'Increment'; by: number; max?: number };
const counter: Decider<Command, Event, number> = {
  initialState: () => 0,
  evolve: (n, e) => n + e.data.by,
  decide: (c, n) => {
    if (c.by === 0) return [];
    if (c.max !== undefined && n + c.by > c.max) throw new DomainError('too_big', 'Слишком много');
    return [{ type: 'Incremented', data: { by: c.by } }];
  },
};
const actor = { actor: 'user-1' };

describe('the generic command handler', () => {
  it('appends what decide returns, with metadata', async () => {
    const store = new MemoryEventStore();
    const handler = new CommandHandler(store, { clock: () => new Date('2026-01-02T03:04:05Z') });
    const result = await handler.handle(
      counter,
      'counter-a',
      { type: 'Increment', by: 2 },
      {
        actor: 'user-7',
        correlationId: 'corr-1',
        causationId: 'cause-1',
      },
    );
    expect(result.revision).toBe(0);
    const [event] = await store.readStream('counter-a');
    expect(event).toMatchObject({
      type: 'Incremented',
      data: { by: 2 },
      metadata: {
        actor: 'user-7',
        correlationId: 'corr-1',
        causationId: 'cause-1',
        occurredAt: '2026-01-02T03:04:05.000Z',
      },
    });
  });

  it('appends nothing when decide returns []', async () => {
    const store = new MemoryEventStore();
    const result = await new CommandHandler(store).handle(
      counter,
      'counter-b',
      { type: 'Increment', by: 0 },
      actor,
    );
    expect(result).toEqual({ events: [], revision: -1, position: null });
    expect(await store.readStream('counter-b')).toEqual([]);
  });

  it('decides on the folded state and lets domain errors through', async () => {
    const handler = new CommandHandler(new MemoryEventStore());
    await handler.handle(counter, 'counter-c', { type: 'Increment', by: 3 }, actor);
    await expect(
      handler.handle(counter, 'counter-c', { type: 'Increment', by: 3, max: 5 }, actor),
    ).rejects.toThrow(DomainError);
  });

  it('retries after a conflict with a concurrent writer', async () => {
    const inner = new MemoryEventStore();
    let interfered = false;
    // A store whose first append loses a race against another writer.
    const racing: EventStore = Object.assign(Object.create(inner) as EventStore, {
      appendToStream: async (...args: Parameters<EventStore['appendToStream']>) => {
        if (!interfered) {
          interfered = true;
          await inner.appendToStream('counter-d', [
            {
              id: deterministicId('other'),
              type: 'Incremented',
              data: { by: 10 },
              metadata: { actor: 'x', correlationId: 'y', occurredAt: '' },
            },
          ]);
        }
        return inner.appendToStream(...args);
      },
    });
    const result = await new CommandHandler(racing).handle(
      counter,
      'counter-d',
      { type: 'Increment', by: 1 },
      actor,
    );
    expect(result.revision).toBe(1);
    const events = await inner.readStream('counter-d');
    expect(events.map((e) => e.data)).toEqual([{ by: 10 }, { by: 1 }]);
  });

  it("turns a conflict with the user's form revision into a StaleRevisionError", async () => {
    const handler = new CommandHandler(new MemoryEventStore());
    await handler.handle(counter, 'counter-e', { type: 'Increment', by: 1 }, actor);
    await handler.handle(counter, 'counter-e', { type: 'Increment', by: 1 }, actor);
    await expect(
      handler.handle(
        counter,
        'counter-e',
        { type: 'Increment', by: 1 },
        { ...actor, expectedRevision: 0 },
      ),
    ).rejects.toBeInstanceOf(StaleRevisionError);
  });

  it('gives deterministic ids under an idempotency key, so a retried command is not appended twice', async () => {
    const store = new MemoryEventStore();
    const handler = new CommandHandler(store);
    const meta = { ...actor, idempotencyKey: 'webhook-42' };
    const first = await handler.handle(counter, 'counter-f', { type: 'Increment', by: 1 }, meta);
    const [event] = await store.readStream('counter-f');
    expect(event?.id).toBe(deterministicId('webhook-42', 'counter-f', '0'));
    expect(first.events).toHaveLength(1);
  });

  it('splits a large outcome into appends of at most maxEventsPerAppend events', async () => {
    const store = new MemoryEventStore();
    const appends: number[] = [];
    const counting: EventStore = Object.assign(Object.create(store) as EventStore, {
      appendToStream: (...args: Parameters<EventStore['appendToStream']>) => {
        appends.push(args[1].length);
        return store.appendToStream(...args);
      },
    });
    const handler = new CommandHandler(counting);
    const commands = Array.from({ length: 7 }, () => ({ type: 'Increment' as const, by: 1 }));
    const result = await handler.handleMany(counter, 'counter-g', commands, {
      ...actor,
      maxEventsPerAppend: 3,
    });
    expect(appends).toEqual([3, 3, 1]);
    expect(result.revision).toBe(6);
    expect((await store.readStream('counter-g')).map((e) => e.revision)).toEqual([
      0, 1, 2, 3, 4, 5, 6,
    ]);
  });

  it('keeps each part under maxBytesPerAppend of data too, an event larger than that alone', () => {
    // {"text":"…"}: 11 bytes of JSON around the text, 2 bytes per Cyrillic letter
    const letters = [40, 40, 5, 200, 10, 10, 10, 10];
    const events: NewEvent[] = letters.map((n, i) => ({
      id: `e${i}`,
      type: 'Sized',
      data: { text: 'я'.repeat(n) },
      metadata: { actor: 'test', correlationId: 'c', occurredAt: '2026-11-28T00:00:00.000Z' },
    }));
    const parts = appendParts(events, { maxEventsPerAppend: 3, maxBytesPerAppend: 200 });
    // 91 + 91 bytes fit, a third event (21) would pass 200; the 411-byte event goes alone;
    // four events of 31 bytes fit in 200, but at most three go together.
    expect(parts.map((p) => p.map((e) => e.id))).toEqual([
      ['e0', 'e1'],
      ['e2'],
      ['e3'],
      ['e4', 'e5', 'e6'],
      ['e7'],
    ]);
    expect(parts.flat()).toEqual(events);
    expect(appendParts(events, {})).toEqual([events]);
    expect(appendParts([], { maxBytesPerAppend: 1 })).toEqual([]);
  });

  it('makes RFC-4122-shaped ids', () => {
    expect(deterministicId('a', 'b')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(deterministicId('a', 'b')).toBe(deterministicId('a', 'b'));
    expect(deterministicId('a', 'b')).not.toBe(deterministicId('a', 'c'));
  });
});

/** The counter again, as a decider whose streams are snapshotted (its own object: own registry entry). */
const snapshottedCounter: Decider<Command, Event, number> = { ...counter };
registerSnapshotCodec(snapshottedCounter, {
  schemaVersion: 2,
  toJSON: (n) => ({ n }),
  fromJSON: (json) => (json as { n: number }).n,
});

/** The memory store, recording which reads the handler makes. */
function recordingStore() {
  const inner = new MemoryEventStore();
  const reads: Array<{ streamId: string; fromRevision: number | undefined }> = [];
  const store: EventStore = Object.assign(Object.create(inner) as EventStore, {
    readStream: () => Promise.reject(new Error('folds must stream, not read whole streams')),
    readStreamIterable: (streamId: string, options?: { fromRevision?: number }) => {
      reads.push({ streamId, fromRevision: options?.fromRevision });
      return inner.readStreamIterable(streamId, options);
    },
  });
  return { inner, store, reads };
}

const increments = (n: number) =>
  Array.from({ length: n }, () => ({ type: 'Increment' as const, by: 1 }));

describe('the command handler with snapshots', () => {
  it('writes a snapshot in the background once snapshotEvery events have passed', async () => {
    const { inner, store } = recordingStore();
    const handler = new CommandHandler(store, { snapshotEvery: 5 });
    await handler.handleMany(snapshottedCounter, 'snap-a', increments(3), actor);
    await handler.flushSnapshots();
    expect(await inner.readSnapshot('snap-a')).toBeNull();
    const result = await handler.handleMany(snapshottedCounter, 'snap-a', increments(3), actor);
    expect(result.revision).toBe(5);
    await handler.flushSnapshots();
    expect(await inner.readSnapshot('snap-a')).toMatchObject({
      revision: 5,
      schemaVersion: 2,
      state: { n: 6 },
    });
    // Streams of deciders without a codec get none.
    await handler.handleMany(counter, 'snap-plain', increments(8), actor);
    await handler.flushSnapshots();
    expect(await inner.readSnapshot('snap-plain')).toBeNull();
  });

  it('loads the snapshot and streams only the events after it', async () => {
    const { inner, store, reads } = recordingStore();
    const handler = new CommandHandler(store, { snapshotEvery: 1_000 });
    await handler.handleMany(snapshottedCounter, 'snap-b', increments(4), actor);
    // A snapshot that disagrees with the events on purpose: only it can explain the result.
    await inner.writeSnapshot({
      streamId: 'snap-b',
      revision: 2,
      schemaVersion: 2,
      state: { n: 100 },
    });
    reads.length = 0;
    expect(await loadState(store, snapshottedCounter, 'snap-b')).toBe(101);
    expect(reads).toEqual([{ streamId: 'snap-b', fromRevision: 3 }]);

    const result = await handler.handle(
      snapshottedCounter,
      'snap-b',
      { type: 'Increment', by: 1, max: 102 },
      actor,
    );
    expect(result.revision).toBe(4);
    await expect(
      handler.handle(snapshottedCounter, 'snap-b', { type: 'Increment', by: 1, max: 102 }, actor),
    ).rejects.toThrow(DomainError);
  });

  it('ignores a snapshot of another schema version, folds from the start and replaces it', async () => {
    const { inner, store } = recordingStore();
    const handler = new CommandHandler(store, { snapshotEvery: 3 });
    await handler.handleMany(snapshottedCounter, 'snap-c', increments(4), actor);
    await handler.flushSnapshots();
    await inner.writeSnapshot({
      streamId: 'snap-c',
      revision: 3,
      schemaVersion: 1,
      state: 'old shape',
    });
    expect(await loadState(store, snapshottedCounter, 'snap-c')).toBe(4);
    // A command that changes nothing still leaves the snapshot its fold was worth.
    await handler.handle(snapshottedCounter, 'snap-c', { type: 'Increment', by: 0 }, actor);
    await handler.flushSnapshots();
    expect(await inner.readSnapshot('snap-c')).toMatchObject({
      revision: 3,
      schemaVersion: 2,
      state: { n: 4 },
    });
  });

  it('appends with the revision of snapshot and tail, and retries a conflict from a fresh read', async () => {
    const { inner, store } = recordingStore();
    await inner.appendToStream(
      'snap-d',
      increments(3).map(() => incremented(1)),
    );
    await inner.writeSnapshot({
      streamId: 'snap-d',
      revision: 1,
      schemaVersion: 2,
      state: { n: 2 },
    });
    let interfered = false;
    const racing: EventStore = Object.assign(Object.create(store) as EventStore, {
      appendToStream: async (...args: Parameters<EventStore['appendToStream']>) => {
        expect(args[2]?.expectedRevision).toBe(interfered ? 3 : 2);
        if (!interfered) {
          interfered = true;
          await inner.appendToStream('snap-d', [incremented(10)]);
        }
        return inner.appendToStream(...args);
      },
    });
    const handler = new CommandHandler(racing);
    const result = await handler.handleMany(snapshottedCounter, 'snap-d', increments(2), actor);
    expect(result.revision).toBe(5);
    expect(await loadState(inner, snapshottedCounter, 'snap-d')).toBe(15);
  });

  it('folds from the first event when the snapshot is ahead of the stream', async () => {
    const { inner, store } = recordingStore();
    await inner.appendToStream('snap-e', [incremented(1), incremented(1)]);
    await inner.writeSnapshot({
      streamId: 'snap-e',
      revision: 40,
      schemaVersion: 2,
      state: { n: 41 },
    });
    const result = await new CommandHandler(store).handle(
      snapshottedCounter,
      'snap-e',
      { type: 'Increment', by: 1 },
      actor,
    );
    expect(result.revision).toBe(2);
    expect((await inner.readStream('snap-e')).map((e) => e.data)).toEqual([
      { by: 1 },
      { by: 1 },
      { by: 1 },
    ]);
  });

  it('never snapshots the doubled state of a retried append', async () => {
    const { inner, store } = recordingStore();
    const handler = new CommandHandler(store, { snapshotEvery: 1 });
    const meta = { ...actor, idempotencyKey: 'job-7' };
    await handler.handle(snapshottedCounter, 'snap-f', { type: 'Increment', by: 5 }, meta);
    await handler.flushSnapshots();
    expect(await inner.readSnapshot('snap-f')).toMatchObject({ revision: 0, state: { n: 5 } });
    // The same job again: decide adds 5 once more, the store recognises the ids and appends
    // nothing, so the state the handler holds (10) is not the stream's (5).
    const again = await handler.handle(
      snapshottedCounter,
      'snap-f',
      { type: 'Increment', by: 5 },
      meta,
    );
    expect(again.revision).toBe(0);
    await handler.flushSnapshots();
    expect(await inner.readSnapshot('snap-f')).toMatchObject({ revision: 0, state: { n: 5 } });
    expect(await loadState(store, snapshottedCounter, 'snap-f')).toBe(5);
  });

  it('does not fail or wait for a command when the snapshot write fails; it logs it', async () => {
    const { store } = recordingStore();
    let release: () => void = () => {};
    const failing: EventStore = Object.assign(Object.create(store) as EventStore, {
      writeSnapshot: () =>
        new Promise<boolean>((_, reject) => {
          release = () => reject(new Error('disk full'));
        }),
    });
    const warn = vi.fn();
    const handler = new CommandHandler(failing, { snapshotEvery: 2, logger: { warn } });
    const result = await handler.handleMany(snapshottedCounter, 'snap-g', increments(3), actor);
    expect(result.revision).toBe(2);
    // The command has returned while its snapshot write is still under way.
    await new Promise((resolve) => setImmediate(resolve));
    expect(warn).not.toHaveBeenCalled();
    release();
    await handler.flushSnapshots();
    expect(warn).toHaveBeenCalledWith(
      expect.objectContaining({ streamId: 'snap-g', revision: 2, err: 'disk full' }),
      expect.stringContaining('snapshot not written'),
    );
  });
});

describe('a real catalog through snapshots', () => {
  it('fetch after fetch, loading from snapshots gives the state the full fold gives', async () => {
    const store = new MemoryEventStore();
    const handler = new CommandHandler(store, { snapshotEvery: 7 });
    const stream = 'evotor-store-u-1-s-1';
    const product = (i: number, price: number): CatalogProduct => ({
      id: `p-${i}`,
      groupId: i % 2 === 0 ? 'g-1' : null,
      name: `Товар № ${i}`,
      productType: 'NORMAL',
      priceKopecks: price,
      costPriceKopecks: 60 * i,
      quantityMilli: 1_000 * i,
      measureName: 'шт',
      tax: 'NO_VAT',
      allowToSell: true,
      description: '',
      articleNumber: '',
      code: String(i),
      barcodes: [`460${i}`],
    });
    let snapshotsUsed = 0;
    for (let round = 0; round < 12; round++) {
      // Every round changes a few prices, drops one product and brings back another.
      const products = Array.from({ length: 10 }, (_, i) =>
        product(i, 100 * (i + round * (i % 3))),
      ).filter((p) => p.id !== `p-${round % 10}`);
      await handler.handle(
        storeCatalogDecider,
        stream,
        {
          type: 'RecordEvotorStoreSnapshot',
          userId: 'u-1',
          storeId: 's-1',
          groups: [{ id: 'g-1', parentId: null, name: 'Молочное' }],
          products,
          complete: true,
        },
        actor,
      );
      await handler.flushSnapshots();
      const viaSnapshot = await readState(store, storeCatalogDecider, stream);
      const full = await readState(store, storeCatalogDecider, stream, { codec: null });
      expect(viaSnapshot.state).toEqual(full.state);
      expect(viaSnapshot.revision).toBe(full.revision);
      if (viaSnapshot.snapshotRevision !== null) snapshotsUsed++;
    }
    expect(snapshotsUsed).toBeGreaterThan(5);
  });
});

function incremented(
  by: number,
): Omit<RecordedEvent, 'streamId' | 'revision' | 'position' | 'created'> {
  return {
    id: crypto.randomUUID(),
    type: 'Incremented',
    data: { by },
    metadata: { actor: 'x', correlationId: 'y', occurredAt: '' },
  };
}
