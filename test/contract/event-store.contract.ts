import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  comparePositions,
  WrongExpectedVersionError,
  type EventStore,
  type ExpectedRevision,
  type RecordedEvent,
} from '../../src/application/ports/event-store.js';
import { SubscriptionRecorder } from '../support/subscription.js';
import {
  expectStrictlyIncreasing,
  expectWrongVersion,
  ids,
  newEvent,
  type ContractContext,
} from './event-store.contract-helpers.js';
import { describeReadContract } from './event-store.read-contract.js';
import { describeSnapshotContract } from './event-store.snapshot-contract.js';
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

    describeReadContract(ctx);

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
    describeSnapshotContract(ctx);
  });
}
