import { describe, expect, it } from 'vitest';
import {
  comparePositions,
  type NewEvent,
  type Position,
} from '../../src/application/ports/event-store.js';
import { SubscriptionRecorder } from '../support/subscription.js';
import {
  escapeRegex,
  expectStrictlyIncreasing,
  ids,
  newEvent,
  type ContractContext,
} from './event-store.contract-helpers.js';

/** Reading streams and `$all`; see describeEventStoreContract. */
export function describeReadContract(ctx: ContractContext): void {
  describe('readStream', () => {
    async function fiveEvents(label: string) {
      const s = ctx.scope(label) + 'stream';
      const appended = [0, 1, 2, 3, 4].map((n) => newEvent('ContractCounted', { n }));
      await ctx.store().appendToStream(s, appended.slice(0, 2));
      await ctx.store().appendToStream(s, appended.slice(2));
      return { s, appended };
    }

    it('reads a missing stream as an empty list, in both directions', async () => {
      const s = ctx.scope('missing') + 'stream';
      expect(await ctx.store().readStream(s)).toEqual([]);
      expect(await ctx.store().readStream(s, { direction: 'backwards' })).toEqual([]);
    });

    it('reads forwards, from a revision, with a maximum count', async () => {
      const { s, appended } = await fiveEvents('forwards');
      const all = await ctx.store().readStream(s);
      expect(ids(all)).toEqual(ids(appended));
      expect(all.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4]);
      expect(all.every((e) => e.streamId === s && e.created instanceof Date)).toBe(true);
      expectStrictlyIncreasing(all.map((e) => e.position));
      const page = await ctx.store().readStream(s, { fromRevision: 2, maxCount: 2 });
      expect(page.map((e) => e.revision)).toEqual([2, 3]);
      expect(await ctx.store().readStream(s, { fromRevision: 5 })).toEqual([]);
    });

    it('reads backwards, from a revision, with a maximum count', async () => {
      const { s } = await fiveEvents('backwards');
      const all = await ctx.store().readStream(s, { direction: 'backwards' });
      expect(all.map((e) => e.revision)).toEqual([4, 3, 2, 1, 0]);
      const page = await ctx.store().readStream(s, {
        direction: 'backwards',
        fromRevision: 3,
        maxCount: 2,
      });
      expect(page.map((e) => e.revision)).toEqual([3, 2]);
      const last = await ctx.store().readStream(s, { direction: 'backwards', maxCount: 1 });
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
        const r = await ctx.store().appendToStream(`${p}${i % 2 === 0 ? 'a' : 'b'}`, [e]);
        appended.push(e);
        positions.push(r.position);
      }
      return { p, appended, positions };
    }

    it('reads forwards from a position (inclusive) with a maximum count', async () => {
      const { appended, positions } = await interleaved('all-forwards');
      expectStrictlyIncreasing(positions);
      const page = await ctx.store().readAll({ fromPosition: positions[1], maxCount: 3 });
      expect(ids(page)).toEqual(ids(appended.slice(1, 4)));
      expect(page.map((e) => e.position)).toEqual(positions.slice(1, 4));
    });

    it('reads backwards from a position (inclusive) and from the end', async () => {
      const { appended, positions } = await interleaved('all-backwards');
      const page = await ctx.store().readAll({
        direction: 'backwards',
        fromPosition: positions[4],
        maxCount: 3,
      });
      expect(ids(page)).toEqual(ids([appended[4]!, appended[3]!, appended[2]!]));
      const tail = await ctx.store().readAll({ direction: 'backwards', maxCount: 2 });
      expect(ids(tail)).toEqual(ids([appended[5]!, appended[4]!]));
    });

    it('filters by stream name prefixes, forwards and backwards', async () => {
      const p = ctx.scope('by-stream');
      const wanted: NewEvent[] = [];
      for (const stream of ['orders-1', 'misc-1', 'clients-1', 'orders-2', 'misc-2']) {
        const e = newEvent('ContractFiltered', { stream });
        await ctx.store().appendToStream(p + stream, [e]);
        if (!stream.startsWith('misc')) wanted.push(e);
      }
      const filter = { on: 'streamName' as const, prefixes: [`${p}orders-`, `${p}clients-`] };
      expect(ids(await ctx.store().readAll({ filter }))).toEqual(ids(wanted));
      const backwards = await ctx.store().readAll({ filter, direction: 'backwards', maxCount: 2 });
      expect(ids(backwards)).toEqual(ids([wanted[2]!, wanted[1]!]));
    });

    it('filters by event type prefixes', async () => {
      const t = ctx.typeScope();
      const s = ctx.scope('by-type') + 'stream';
      const events = [`${t}Created`, `Other${t}`, `${t}Renamed`, `${t}`].map((type) =>
        newEvent(type),
      );
      const first = await ctx.store().appendToStream(s, events);
      const read = await ctx.store().readAll({ filter: { on: 'eventType', prefixes: [t] } });
      expect(read.map((e) => e.type)).toEqual([`${t}Created`, `${t}Renamed`, t]);
      const fromLast = await ctx.store().readAll({
        fromPosition: first.position,
        filter: { on: 'eventType', prefixes: [`${t}R`, `${t}C`] },
      });
      expect(fromLast).toEqual([]);
    });

    it('filters by a regex on the stream name or on the event type', async () => {
      const p = ctx.scope('regex');
      const t = ctx.typeScope();
      await ctx.store().appendToStream(`${p}orders-1`, [newEvent(`${t}Created`)]);
      await ctx.store().appendToStream(`${p}orders-22`, [newEvent(`${t}Deleted`)]);
      await ctx.store().appendToStream(`${p}clients-3`, [newEvent(`${t}Renamed`)]);
      const byStream = await ctx.store().readAll({
        filter: { on: 'streamName', regex: `^${escapeRegex(p)}(orders|clients)-\\d$` },
      });
      expect(byStream.map((e) => e.streamId)).toEqual([`${p}orders-1`, `${p}clients-3`]);
      const byType = await ctx.store().readAll({
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
      const first = await ctx.store().appendToStream(s, [before]);
      await ctx.store().appendToStream(s, [system, after]);
      expect(ids(await ctx.store().readStream(s))).toEqual(ids([before, system, after]));
      const forwards = await ctx.store().readAll({ fromPosition: first.position, maxCount: 10 });
      expect(ids(forwards)).toEqual(ids([before, after]));
      const backwards = await ctx.store().readAll({ direction: 'backwards', maxCount: 2 });
      expect(ids(backwards)).toEqual(ids([after, before]));
      const byType = await ctx.store().readAll({
        fromPosition: first.position,
        filter: { on: 'eventType', prefixes: ['$'] },
      });
      expect(byType).toEqual([]);

      const recorder = new SubscriptionRecorder(
        ctx.store().subscribeToAll({ fromPosition: first.position }),
      );
      await recorder.waitForCaughtUp();
      await recorder.stop();
      expect(ids(recorder.events)).toEqual(ids([after]));
    });

    it('headPosition is the position of the last event', async () => {
      const s = ctx.scope('head') + 'stream';
      const first = await ctx.store().appendToStream(s, [newEvent()]);
      expect(await ctx.store().headPosition()).toEqual(first.position);
      const second = await ctx.store().appendToStream(s, [newEvent(), newEvent()]);
      const head = await ctx.store().headPosition();
      expect(head).toEqual(second.position);
      expect(comparePositions(head!, first.position)).toBeGreaterThan(0);
    });
  });
}
