import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../src/application/ports/event-store.js';
import { SubscriptionRecorder } from '../support/subscription.js';
import { ids, newEvent, type ContractContext } from './event-store.contract-helpers.js';

async function collect(iterable: AsyncIterable<RecordedEvent>): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const event of iterable) events.push(event);
  return events;
}

/** Streaming reads and snapshots; see describeEventStoreContract. */
export function describeSnapshotContract(ctx: ContractContext): void {
  describe('readStreamIterable', () => {
    it('yields nothing for a missing stream', async () => {
      const s = ctx.scope('iter-missing') + 'stream';
      expect(await collect(ctx.store().readStreamIterable(s))).toEqual([]);
    });

    it('yields a long stream in order, across pages, from a revision', async () => {
      const store = ctx.store();
      const s = ctx.scope('iter-long') + 'stream';
      // More than every adapter's page (MariaDB 1,000, EventStoreDB 500), and not a multiple.
      const appended = Array.from({ length: 2_345 }, (_, n) => newEvent('ContractPaged', { n }));
      for (let i = 0; i < appended.length; i += 500) {
        await store.appendToStream(s, appended.slice(i, i + 500));
      }
      const all = await collect(store.readStreamIterable(s));
      expect(ids(all)).toEqual(ids(appended));
      expect(all.map((e) => e.revision)).toEqual(appended.map((_, i) => i));
      expect(all[1_234]!.data).toEqual({ n: 1_234 });
      const tail = await collect(store.readStreamIterable(s, { fromRevision: 1_000 }));
      expect(ids(tail)).toEqual(ids(appended.slice(1_000)));
      expect(await collect(store.readStreamIterable(s, { fromRevision: 2_345 }))).toEqual([]);
    }, 60_000);

    it('stops reading when the consumer leaves the loop', async () => {
      const store = ctx.store();
      const s = ctx.scope('iter-break') + 'stream';
      const appended = [newEvent(), newEvent(), newEvent()];
      await store.appendToStream(s, appended);
      const seen: string[] = [];
      for await (const event of store.readStreamIterable(s)) {
        seen.push(event.id);
        if (seen.length === 2) break;
      }
      expect(seen).toEqual(ids(appended.slice(0, 2)));
    });
  });

  describe('snapshots', () => {
    const state = {
      products: [
        ['p-1', { name: 'Молоко «Домик в деревне» 2,5 %', priceKopecks: 8990, barcodes: ['46'] }],
        ['p-2', { name: 'Хлеб', priceKopecks: 4500, barcodes: [], groupId: null }],
      ],
      fetches: 3,
      paused: null,
    };

    it('reads null before the first snapshot, then what was written', async () => {
      const store = ctx.store();
      const s = ctx.scope('snap-first') + 'stream';
      await store.appendToStream(s, [newEvent(), newEvent()]);
      expect(await store.readSnapshot(s)).toBeNull();
      expect(await store.writeSnapshot({ streamId: s, revision: 1, schemaVersion: 3, state })).toBe(
        true,
      );
      const read = await store.readSnapshot(s);
      expect(read).toMatchObject({ streamId: s, revision: 1, schemaVersion: 3, state });
      expect(read!.created).toBeInstanceOf(Date);
      expect(await store.readSnapshot(ctx.scope('snap-other') + 'stream')).toBeNull();
    });

    it('a newer revision replaces; an older or equal one of the same schema is refused', async () => {
      const store = ctx.store();
      const s = ctx.scope('snap-newer') + 'stream';
      const write = (revision: number, schemaVersion: number, fetches: number) =>
        store.writeSnapshot({ streamId: s, revision, schemaVersion, state: { ...state, fetches } });
      expect(await write(10, 1, 10)).toBe(true);
      expect(await write(20, 1, 20)).toBe(true);
      expect(await write(15, 1, 15)).toBe(false);
      expect(await write(20, 1, 21)).toBe(false);
      expect(await store.readSnapshot(s)).toMatchObject({ revision: 20, state: { fetches: 20 } });
      // Another schema version replaces even at a lower revision: the writer's code is newer.
      expect(await write(5, 2, 5)).toBe(true);
      expect(await store.readSnapshot(s)).toMatchObject({
        revision: 5,
        schemaVersion: 2,
        state: { fetches: 5 },
      });
    });

    it('round-trips a large state (megabytes of JSON)', async () => {
      const store = ctx.store();
      const s = ctx.scope('snap-large') + 'stream';
      // Random names, so compression cannot shrink it under one EventStoreDB part.
      const products = Array.from({ length: 12_000 }, (_, i) => [
        `p-${i}`,
        { name: `Товар ${i} ${Math.random().toString(36)}`, priceKopecks: i * 7 },
      ]);
      const large = { products, fetches: 1 };
      expect(JSON.stringify(large).length).toBeGreaterThan(700_000);
      await store.writeSnapshot({ streamId: s, revision: 99, schemaVersion: 1, state: large });
      const read = await store.readSnapshot(s);
      expect(read?.revision).toBe(99);
      expect(read?.state).toEqual(large);
    }, 60_000);

    it('never shows in the stream, $all, subscriptions or the head position', async () => {
      const store = ctx.store();
      const s = ctx.scope('snap-hidden') + 'stream';
      const event = newEvent();
      const appended = await store.appendToStream(s, [event]);
      const head = await store.headPosition();
      await store.writeSnapshot({ streamId: s, revision: 0, schemaVersion: 1, state });
      const after = newEvent();
      await store.appendToStream(s, [after]);
      await store.writeSnapshot({ streamId: s, revision: 1, schemaVersion: 1, state });

      expect(ids(await store.readStream(s))).toEqual(ids([event, after]));
      expect(ids(await collect(store.readStreamIterable(s)))).toEqual(ids([event, after]));
      const all = await store.readAll({ fromPosition: appended.position });
      expect(all.every((e) => e.type.startsWith('$') === false)).toBe(true);
      expect(all.every((e) => e.streamId === s || !e.streamId.includes(s))).toBe(true);
      const backwards = await store.readAll({ direction: 'backwards', maxCount: 1 });
      expect(backwards[0]?.type.startsWith('$')).toBe(false);
      expect(head).not.toBeNull();
      const recorder = new SubscriptionRecorder(
        store.subscribeToAll({ fromPosition: appended.position }),
      );
      try {
        await recorder.waitForCaughtUp();
        const sentinel = newEvent();
        await store.appendToStream(s, [sentinel]);
        await recorder.waitForEvent(sentinel.id);
        const mine = recorder.events.filter((e) => e.streamId.includes(s));
        expect(ids(mine)).toEqual(ids([after, sentinel]));
        expect(recorder.events.some((e) => e.type.startsWith('$'))).toBe(false);
      } finally {
        await recorder.stop();
      }
    });

    it('several writers at once: none fails, one whole snapshot stays, later ones move it on', async () => {
      const store = ctx.store();
      const s = ctx.scope('snap-race') + 'stream';
      const results = await Promise.allSettled(
        [3, 7, 5, 6, 4].map((revision) =>
          store.writeSnapshot({ streamId: s, revision, schemaVersion: 1, state: { revision } }),
        ),
      );
      expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
      const read = await store.readSnapshot(s);
      expect(read?.state).toEqual({ revision: read?.revision });
      // Writers that lost a race may leave an older one; a later writer still moves it on.
      await store.writeSnapshot({
        streamId: s,
        revision: 8,
        schemaVersion: 1,
        state: { revision: 8 },
      });
      expect(await store.readSnapshot(s)).toMatchObject({ revision: 8, state: { revision: 8 } });
    });
  });
}
