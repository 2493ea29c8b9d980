import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  comparePositions,
  WrongExpectedVersionError,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type Position,
  type RecordedEvent,
} from '../../src/application/ports/event-store.js';
import { SubscriptionRecorder } from '../support/subscription.js';
import {
  escapeRegex,
  expectStrictlyIncreasing,
  expectWrongVersion,
  ids,
  newEvent,
  type ContractContext,
} from './event-store.contract-helpers.js';
import { describeSubscriptionContract } from './event-store.subscription-contract.js';

/**
 * The behaviour every EventStore adapter must share. `setup` is called once per file; the store
 * is shared by all tests, so every test works on its own streams and event types.
 */
export function describeEventStoreContract(
  name: string,
  setup: () => Promise<{ store: EventStore; teardown(): Promise<void> }>,
): void {
  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;
    let teardown: (() => Promise<void>) | undefined;
    const run = randomUUID().slice(0, 8);
    let counter = 0;
    const ctx: ContractContext = {
      store: () => store,
      scope: (label) => `ct-${run}-${++counter}-${label}-`,
      typeScope: () => `Ct${run}T${++counter}`,
    };

    beforeAll(async () => {
      const created = await setup();
      store = created.store;
      teardown = created.teardown;
    });
    afterAll(async () => {
      await teardown?.();
    });

    describe('appendToStream and expected revisions', () => {
      it('any: creates a stream, appends to an existing one, and is the default', async () => {
        const s = ctx.scope('any') + 'stream';
        const first = await store.appendToStream(s, [newEvent()], { expectedRevision: 'any' });
        expect(first.nextExpectedRevision).toBe(0);
        const second = await store.appendToStream(s, [newEvent(), newEvent()], {
          expectedRevision: 'any',
        });
        expect(second.nextExpectedRevision).toBe(2);
        const third = await store.appendToStream(s, [newEvent()]);
        expect(third.nextExpectedRevision).toBe(3);
        expectStrictlyIncreasing([first.position, second.position, third.position]);
      });

      it('returns the revision and position of the last appended event', async () => {
        const s = ctx.scope('result') + 'stream';
        const result = await store.appendToStream(s, [newEvent(), newEvent(), newEvent()]);
        const events = await store.readStream(s);
        expect(result.nextExpectedRevision).toBe(2);
        expect(events.at(-1)!.revision).toBe(2);
        expect(comparePositions(result.position, events.at(-1)!.position)).toBe(0);
      });

      it('no_stream: succeeds on a missing stream, fails on an existing one', async () => {
        const s = ctx.scope('no-stream') + 'stream';
        const r = await store.appendToStream(s, [newEvent()], { expectedRevision: 'no_stream' });
        expect(r.nextExpectedRevision).toBe(0);
        await expectWrongVersion(
          store.appendToStream(s, [newEvent()], { expectedRevision: 'no_stream' }),
          s,
          'no_stream',
          0,
        );
        expect(await store.readStream(s)).toHaveLength(1);
      });

      it('stream_exists: succeeds on an existing stream, fails on a missing one', async () => {
        const s = ctx.scope('exists') + 'stream';
        await expectWrongVersion(
          store.appendToStream(s, [newEvent()], { expectedRevision: 'stream_exists' }),
          s,
          'stream_exists',
          'no_stream',
        );
        expect(await store.readStream(s)).toEqual([]);
        await store.appendToStream(s, [newEvent()]);
        const r = await store.appendToStream(s, [newEvent()], {
          expectedRevision: 'stream_exists',
        });
        expect(r.nextExpectedRevision).toBe(1);
      });

      it('exact revision: succeeds when it matches, fails behind, ahead and on no stream', async () => {
        const s = ctx.scope('exact') + 'stream';
        await expectWrongVersion(
          store.appendToStream(s, [newEvent()], { expectedRevision: 0 }),
          s,
          0,
          'no_stream',
        );
        await store.appendToStream(s, [newEvent(), newEvent()], { expectedRevision: 'no_stream' });
        const r = await store.appendToStream(s, [newEvent()], { expectedRevision: 1 });
        expect(r.nextExpectedRevision).toBe(2);
        await expectWrongVersion(
          store.appendToStream(s, [newEvent()], { expectedRevision: 1 }),
          s,
          1,
          2,
        );
        await expectWrongVersion(
          store.appendToStream(s, [newEvent()], { expectedRevision: 7 }),
          s,
          7,
          2,
        );
        const after = await store.appendToStream(s, [newEvent()], { expectedRevision: 2 });
        expect(after.nextExpectedRevision).toBe(3);
        expect(await store.readStream(s)).toHaveLength(4);
      });

      it.each<[string, ExpectedRevision, boolean]>([
        ['the same exact revision', 0, true],
        ['no_stream', 'no_stream', false],
      ])('two writers with %s: exactly one wins', async (_label, expected, seed) => {
        const s = ctx.scope('race') + 'stream';
        if (seed) await store.appendToStream(s, [newEvent()]);
        const a = newEvent('ContractWriterA');
        const b = newEvent('ContractWriterB');
        const results = await Promise.allSettled([
          store.appendToStream(s, [a], { expectedRevision: expected }),
          store.appendToStream(s, [b], { expectedRevision: expected }),
        ]);
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r) => r.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        expect(lost[0]!.reason).toBeInstanceOf(WrongExpectedVersionError);
        const winner = results[0]!.status === 'fulfilled' ? a : b;
        const events = await store.readStream(s);
        expect(ids(events)).toEqual([...(seed ? [events[0]!.id] : []), winner.id]);
      });

      it('a retried append returns the original result and writes nothing', async () => {
        const s = ctx.scope('retry') + 'stream';
        const batch = [newEvent(), newEvent()];
        const original = await store.appendToStream(s, batch, { expectedRevision: 'no_stream' });
        const retried = await store.appendToStream(s, batch, { expectedRevision: 'no_stream' });
        expect(retried).toEqual(original);

        const next = [newEvent()];
        const second = await store.appendToStream(s, next, { expectedRevision: 1 });
        expect(await store.appendToStream(s, next, { expectedRevision: 1 })).toEqual(second);
        expect(await store.appendToStream(s, next, { expectedRevision: 'any' })).toEqual(second);

        const events = await store.readStream(s);
        expect(ids(events)).toEqual([...ids(batch), ...ids(next)]);
        expect(second.nextExpectedRevision).toBe(2);
      });
    });

    describe('readStream', () => {
      async function fiveEvents(label: string) {
        const s = ctx.scope(label) + 'stream';
        const appended = [0, 1, 2, 3, 4].map((n) => newEvent('ContractCounted', { n }));
        await store.appendToStream(s, appended.slice(0, 2));
        await store.appendToStream(s, appended.slice(2));
        return { s, appended };
      }

      it('reads a missing stream as an empty list, in both directions', async () => {
        const s = ctx.scope('missing') + 'stream';
        expect(await store.readStream(s)).toEqual([]);
        expect(await store.readStream(s, { direction: 'backwards' })).toEqual([]);
      });

      it('reads forwards, from a revision, with a maximum count', async () => {
        const { s, appended } = await fiveEvents('forwards');
        const all = await store.readStream(s);
        expect(ids(all)).toEqual(ids(appended));
        expect(all.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4]);
        expect(all.every((e) => e.streamId === s && e.created instanceof Date)).toBe(true);
        expectStrictlyIncreasing(all.map((e) => e.position));
        const page = await store.readStream(s, { fromRevision: 2, maxCount: 2 });
        expect(page.map((e) => e.revision)).toEqual([2, 3]);
        expect(await store.readStream(s, { fromRevision: 5 })).toEqual([]);
      });

      it('reads backwards, from a revision, with a maximum count', async () => {
        const { s } = await fiveEvents('backwards');
        const all = await store.readStream(s, { direction: 'backwards' });
        expect(all.map((e) => e.revision)).toEqual([4, 3, 2, 1, 0]);
        const page = await store.readStream(s, {
          direction: 'backwards',
          fromRevision: 3,
          maxCount: 2,
        });
        expect(page.map((e) => e.revision)).toEqual([3, 2]);
        const last = await store.readStream(s, { direction: 'backwards', maxCount: 1 });
        expect(last.map((e) => e.revision)).toEqual([4]);
      });
    });

    describe('readAll', () => {
      /** Six events alternating between two streams, one append each. */
      async function interleaved(label: string) {
        const p = ctx.scope(label);
        const appended: NewEvent[] = [];
        const positions: Position[] = [];
        for (let i = 0; i < 6; i++) {
          const e = newEvent('ContractInterleaved', { i });
          const r = await store.appendToStream(`${p}${i % 2 === 0 ? 'a' : 'b'}`, [e]);
          appended.push(e);
          positions.push(r.position);
        }
        return { p, appended, positions };
      }

      it('reads forwards from a position (inclusive) with a maximum count', async () => {
        const { appended, positions } = await interleaved('all-forwards');
        expectStrictlyIncreasing(positions);
        const page = await store.readAll({ fromPosition: positions[1], maxCount: 3 });
        expect(ids(page)).toEqual(ids(appended.slice(1, 4)));
        expect(page.map((e) => e.position)).toEqual(positions.slice(1, 4));
      });

      it('reads backwards from a position (inclusive) and from the end', async () => {
        const { appended, positions } = await interleaved('all-backwards');
        const page = await store.readAll({
          direction: 'backwards',
          fromPosition: positions[4],
          maxCount: 3,
        });
        expect(ids(page)).toEqual(ids([appended[4]!, appended[3]!, appended[2]!]));
        const tail = await store.readAll({ direction: 'backwards', maxCount: 2 });
        expect(ids(tail)).toEqual(ids([appended[5]!, appended[4]!]));
      });

      it('filters by stream name prefixes, forwards and backwards', async () => {
        const p = ctx.scope('by-stream');
        const wanted: NewEvent[] = [];
        for (const stream of ['orders-1', 'misc-1', 'clients-1', 'orders-2', 'misc-2']) {
          const e = newEvent('ContractFiltered', { stream });
          await store.appendToStream(p + stream, [e]);
          if (!stream.startsWith('misc')) wanted.push(e);
        }
        const filter = { on: 'streamName' as const, prefixes: [`${p}orders-`, `${p}clients-`] };
        expect(ids(await store.readAll({ filter }))).toEqual(ids(wanted));
        const backwards = await store.readAll({ filter, direction: 'backwards', maxCount: 2 });
        expect(ids(backwards)).toEqual(ids([wanted[2]!, wanted[1]!]));
      });

      it('filters by event type prefixes', async () => {
        const t = ctx.typeScope();
        const s = ctx.scope('by-type') + 'stream';
        const events = [`${t}Created`, `Other${t}`, `${t}Renamed`, `${t}`].map((type) =>
          newEvent(type),
        );
        const first = await store.appendToStream(s, events);
        const read = await store.readAll({ filter: { on: 'eventType', prefixes: [t] } });
        expect(read.map((e) => e.type)).toEqual([`${t}Created`, `${t}Renamed`, t]);
        const fromLast = await store.readAll({
          fromPosition: first.position,
          filter: { on: 'eventType', prefixes: [`${t}R`, `${t}C`] },
        });
        expect(fromLast).toEqual([]);
      });

      it('filters by a regex on the stream name or on the event type', async () => {
        const p = ctx.scope('regex');
        const t = ctx.typeScope();
        await store.appendToStream(`${p}orders-1`, [newEvent(`${t}Created`)]);
        await store.appendToStream(`${p}orders-22`, [newEvent(`${t}Deleted`)]);
        await store.appendToStream(`${p}clients-3`, [newEvent(`${t}Renamed`)]);
        const byStream = await store.readAll({
          filter: { on: 'streamName', regex: `^${escapeRegex(p)}(orders|clients)-\\d$` },
        });
        expect(byStream.map((e) => e.streamId)).toEqual([`${p}orders-1`, `${p}clients-3`]);
        const byType = await store.readAll({
          filter: { on: 'eventType', regex: `^${t}(Created|Renamed)$` },
        });
        expect(byType.map((e) => e.type)).toEqual([`${t}Created`, `${t}Renamed`]);
      });

      it('leaves out system events ($-prefixed types)', async () => {
        const s = ctx.scope('system') + 'stream';
        const t = ctx.typeScope();
        const before = newEvent(`${t}Before`);
        const system = newEvent(`$${t}-system`);
        const after = newEvent(`${t}After`);
        const first = await store.appendToStream(s, [before]);
        await store.appendToStream(s, [system, after]);
        expect(ids(await store.readStream(s))).toEqual(ids([before, system, after]));
        const forwards = await store.readAll({ fromPosition: first.position, maxCount: 10 });
        expect(ids(forwards)).toEqual(ids([before, after]));
        const backwards = await store.readAll({ direction: 'backwards', maxCount: 2 });
        expect(ids(backwards)).toEqual(ids([after, before]));
        const byType = await store.readAll({
          fromPosition: first.position,
          filter: { on: 'eventType', prefixes: ['$'] },
        });
        expect(byType).toEqual([]);

        const recorder = new SubscriptionRecorder(
          store.subscribeToAll({ fromPosition: first.position }),
        );
        await recorder.waitForCaughtUp();
        await recorder.stop();
        expect(ids(recorder.events)).toEqual(ids([after]));
      });

      it('headPosition is the position of the last event', async () => {
        const s = ctx.scope('head') + 'stream';
        const first = await store.appendToStream(s, [newEvent()]);
        expect(await store.headPosition()).toEqual(first.position);
        const second = await store.appendToStream(s, [newEvent(), newEvent()]);
        const head = await store.headPosition();
        expect(head).toEqual(second.position);
        expect(comparePositions(head!, first.position)).toBeGreaterThan(0);
      });
    });

    describe('metadata and data', () => {
      it('round-trip JSON data (Russian text, nested objects) and metadata everywhere', async () => {
        const s = ctx.scope('round-trip') + 'stream';
        const data = {
          name: 'Молоко «Домик в деревне» 2,5 %',
          price: 89.9,
          quantity: 0,
          tags: ['молочное', 'акция', '🥛'],
          nested: { deeper: { flag: true, nothing: null, list: [1, { a: 'б' }] } },
          quote: 'a "quoted" \\ back\nslash',
        };
        const event = newEvent('ContractRoundTrip', data, {
          actor: 'user-42',
          causationId: randomUUID(),
          occurredAt: '2024-03-01T10:20:30.456Z',
          source: { kind: 'форма', ip: '127.0.0.1' },
        });
        const result = await store.appendToStream(s, [event]);
        const expectSame = (e: RecordedEvent | undefined) => {
          expect(e).toBeDefined();
          expect(e!.id).toBe(event.id);
          expect(e!.type).toBe(event.type);
          expect(e!.data).toEqual(data);
          expect(e!.metadata).toEqual(event.metadata);
          expect(e!.streamId).toBe(s);
          expect(e!.revision).toBe(0);
          expect(e!.created).toBeInstanceOf(Date);
          expect(Number.isNaN(e!.created.getTime())).toBe(false);
        };
        expectSame((await store.readStream(s))[0]);
        expectSame((await store.readAll({ fromPosition: result.position, maxCount: 1 }))[0]);
        const recorder = new SubscriptionRecorder(
          store.subscribeToAll({ filter: { on: 'streamName', prefixes: [s] } }),
        );
        await recorder.waitForEvent(event.id);
        await recorder.stop();
        expectSame(recorder.events[0]);
      });
    });

    describeSubscriptionContract(ctx);
  });
}
