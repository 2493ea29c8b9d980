import { describe, expect, it } from 'vitest';
import type { NewEvent, SubscriptionMessage } from '../../src/application/ports/event-store.js';
import { SubscriptionRecorder } from '../support/subscription.js';
import {
  expectStrictlyIncreasing,
  ids,
  newEvent,
  type ContractContext,
} from './event-store.contract-helpers.js';

/** The subscription half of the contract; see describeEventStoreContract. */
export function describeSubscriptionContract(ctx: ContractContext): void {
  describe('subscribeToAll', () => {
    it('from the start: history, caughtUp once, then live events', async () => {
      const store = ctx.store();
      const s = ctx.scope('sub-start') + 'stream';
      const history = [newEvent(), newEvent()];
      await store.appendToStream(s, history);
      const recorder = new SubscriptionRecorder(store.subscribeToAll());
      try {
        await recorder.waitForCaughtUp();
        expect(ids(recorder.eventsBeforeCaughtUp)).toEqual(expect.arrayContaining(ids(history)));
        const live = [newEvent(), newEvent()];
        await store.appendToStream(s, live.slice(0, 1));
        await store.appendToStream(s, live.slice(1));
        await recorder.waitForEvent(live[1]!.id);
        const caughtUpAt = recorder.messages.findIndex((m) => m.kind === 'caughtUp');
        const afterCaughtUp = recorder.messages.slice(caughtUpAt + 1).flatMap(eventOf);
        expect(ids(afterCaughtUp.filter((e) => e.streamId === s))).toEqual(ids(live));
        expect(recorder.caughtUpCount).toBe(1);
        expectStrictlyIncreasing(recorder.events.map((e) => e.position));
        expect([...recorder.seen.values()].every((n) => n === 1)).toBe(true);
      } finally {
        await recorder.stop();
      }
    });

    it('from a position: starts with the event after it (exclusive)', async () => {
      const store = ctx.store();
      const s = ctx.scope('sub-from') + 'stream';
      const appended = [newEvent(), newEvent(), newEvent()];
      const first = await store.appendToStream(s, appended.slice(0, 1));
      await store.appendToStream(s, appended.slice(1));
      const recorder = new SubscriptionRecorder(
        store.subscribeToAll({ fromPosition: first.position }),
      );
      try {
        await recorder.waitForCaughtUp();
        expect(ids(recorder.eventsBeforeCaughtUp)).toEqual(ids(appended.slice(1)));
        const live = newEvent();
        await store.appendToStream(s, [live]);
        await recorder.waitForEvent(live.id);
        expect(ids(recorder.events)).toEqual(ids([...appended.slice(1), live]));
        expect(recorder.caughtUpCount).toBe(1);
      } finally {
        await recorder.stop();
      }
    });

    it('applies stream name and event type filters to history and live events', async () => {
      const store = ctx.store();
      const p = ctx.scope('sub-filter');
      const t = ctx.typeScope();
      const start = await store.appendToStream(`${p}other`, [newEvent(`${t}Skipped`)]);
      const wantedHistory = newEvent(`${t}Wanted`);
      await store.appendToStream(`${p}orders-1`, [wantedHistory]);
      const byStream = new SubscriptionRecorder(
        store.subscribeToAll({
          fromPosition: start.position,
          filter: { on: 'streamName', prefixes: [`${p}orders-`] },
        }),
      );
      const byType = new SubscriptionRecorder(
        store.subscribeToAll({
          fromPosition: start.position,
          filter: { on: 'eventType', regex: `^${t}W` },
        }),
      );
      try {
        await Promise.all([byStream.waitForCaughtUp(), byType.waitForCaughtUp()]);
        // Unwanted events go first, so once the last wanted one arrives they would have too.
        await store.appendToStream(`${p}other`, [newEvent(`${t}Skipped`)]);
        const liveOrder = newEvent(`${t}Skipped`);
        await store.appendToStream(`${p}orders-2`, [liveOrder]);
        const liveType = newEvent(`${t}WantedToo`);
        await store.appendToStream(`${p}other`, [liveType]);
        await store.appendToStream(`${p}orders-1`, [newEvent(`${t}Skipped`)]);
        const lastOrder = newEvent(`${t}WantedLast`);
        await store.appendToStream(`${p}orders-3`, [lastOrder]);
        await Promise.all([byStream.waitForEvent(lastOrder.id), byType.waitForEvent(lastOrder.id)]);
        expect(byStream.events.every((e) => e.streamId.startsWith(`${p}orders-`))).toBe(true);
        expect(byStream.events).toHaveLength(4);
        expect(ids(byType.events)).toEqual(ids([wantedHistory, liveType, lastOrder]));
        expect(ids(byStream.events)).toContain(liveOrder.id);
      } finally {
        await Promise.all([byStream.stop(), byType.stop()]);
      }
    });

    it('unsubscribe() ends the iteration', async () => {
      const store = ctx.store();
      const head = await store.headPosition();
      const recorder = new SubscriptionRecorder(
        store.subscribeToAll({ fromPosition: head ?? undefined }),
      );
      await recorder.waitForCaughtUp();
      await recorder.subscription.unsubscribe();
      await recorder.done();
      expect(recorder.hasEnded).toBe(true);
      expect(recorder.failure).toBeNull();
    });

    it('leaving the loop with break unsubscribes', async () => {
      const store = ctx.store();
      const s = ctx.scope('sub-break') + 'stream';
      const [first, second] = [newEvent(), newEvent()];
      await store.appendToStream(s, [first!]);
      await store.appendToStream(s, [second!]);
      const subscription = store.subscribeToAll({ filter: { on: 'streamName', prefixes: [s] } });
      const received: SubscriptionMessage[] = [];
      for await (const message of subscription) {
        received.push(message);
        if (message.kind === 'event') break;
      }
      expect(received.flatMap(eventOf).map((e) => e.id)).toEqual([first!.id]);
      await store.appendToStream(s, [newEvent()]);
      const next = await withTimeout(subscription[Symbol.asyncIterator]().next(), 10_000);
      expect(next.done).toBe(true);
      await subscription.unsubscribe();
    });

    it('several writers in parallel, one subscriber from the start: every event once, in order', async () => {
      const store = ctx.store();
      const p = ctx.scope('sub-concurrent');
      const writers = 8;
      const appendsPerWriter = 50;
      const recorder = new SubscriptionRecorder(store.subscribeToAll());
      try {
        const appended: NewEvent[][] = await Promise.all(
          Array.from({ length: writers }, async (_, w) => {
            const mine: NewEvent[] = [];
            for (let i = 0; i < appendsPerWriter; i++) {
              const batch = Array.from({ length: 1 + ((w * 7 + i) % 3) }, () =>
                newEvent('ContractConcurrent', { w, i }),
              );
              await store.appendToStream(`${p}s${(w + i) % 12}`, batch);
              mine.push(...batch);
            }
            return mine;
          }),
        );
        const expected = new Set(appended.flat().map((e) => e.id));
        // Anything of ours, duplicates included, is delivered before this last event.
        const sentinel = newEvent('ContractSentinel');
        await store.appendToStream(`${p}sentinel`, [sentinel]);
        await recorder.waitFor((r) => r.seen.has(sentinel.id), 'the sentinel', 90_000);

        const ours = recorder.events.filter((e) => e.streamId.startsWith(`${p}s`));
        expect(ours).toHaveLength(expected.size + 1);
        expect(new Set(ids(ours))).toEqual(new Set([...expected, sentinel.id]));
        expect([...recorder.seen.values()].every((n) => n === 1)).toBe(true);
        expectStrictlyIncreasing(recorder.events.map((e) => e.position));
        expect(recorder.caughtUpCount).toBeLessThanOrEqual(1);
        for (let k = 0; k < 12; k++) {
          const stream = await store.readStream(`${p}s${k}`);
          expect(stream.map((e) => e.revision)).toEqual(stream.map((_, i) => i));
        }
      } finally {
        await recorder.stop();
      }
    }, 120_000);
  });
}

function eventOf(m: SubscriptionMessage) {
  return m.kind === 'event' ? [m.event] : [];
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
