import type { AllStreamResolvedEvent, EventStoreDBClient } from '@eventstore/db-client';
import {
  comparePositions,
  type EventFilter,
  type Position,
  type Subscription,
  type SubscriptionMessage,
} from '../../../application/ports/event-store.js';
import {
  fromEsdbEvent,
  fromEsdbPosition,
  toEsdbFrom,
  toServerFilter,
  visibleInAll,
} from './mapping.js';
import { jitteredBackoff } from '../../shared/backoff.js';
import { sleep } from '../../shared/sleep.js';

export interface BackoffOptions {
  initialDelayMs: number;
  maxDelayMs: number;
  factor: number;
  /** 0..1: the share of each delay that is randomised, so many subscribers do not retry in step */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = {
  initialDelayMs: 200,
  maxDelayMs: 10_000,
  factor: 2,
  jitter: 0.3,
};

/** The wait before reconnect attempt `attempt` (from 1), through the adapters' one back-off. */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  return jitteredBackoff(attempt - 1, {
    baseMs: options.initialDelayMs,
    maxMs: options.maxDelayMs,
    factor: options.factor,
    jitter: options.jitter,
  });
}

export type SubscriptionStatus =
  | { id: number; state: 'connecting'; lastPosition: Position | null }
  | { id: number; state: 'connected'; lastPosition: Position | null; since: Date }
  | {
      id: number;
      state: 'reconnecting';
      lastPosition: Position | null;
      attempt: number;
      lastError: string;
      nextAttemptAt: Date;
    };

/** Marks the client's out-of-band `caughtUp` event inside its stream of events, in order. */
const CAUGHT_UP = Symbol('caughtUp');
type Item = AllStreamResolvedEvent | { [CAUGHT_UP]: true };

/**
 * A subscription to `$all` that outlives the server: when the connection drops it resubscribes
 * from the last position it handed out (the server's start position is exclusive), with capped
 * exponential backoff and jitter. Positions never go backwards, so no event arrives twice.
 */
export function supervisedSubscription(
  client: EventStoreDBClient,
  options: {
    id: number;
    from: Position | null;
    filter: EventFilter | undefined;
    backoff: BackoffOptions;
    report: (status: SubscriptionStatus | null) => void;
  },
): Subscription {
  const abort = new AbortController();
  const visible = visibleInAll(options.filter);
  let current: ReturnType<EventStoreDBClient['subscribeToAll']> | null = null;
  let last = options.from;

  async function* run(): AsyncGenerator<SubscriptionMessage> {
    let caughtUpSent = false;
    let attempt = 0;
    options.report({ id: options.id, state: 'connecting', lastPosition: last });
    while (!abort.signal.aborted) {
      const subscription = client.subscribeToAll({
        fromPosition: toEsdbFrom(last),
        filter: toServerFilter(options.filter),
      });
      current = subscription;
      // The client emits late errors on the stream after we let go of it; the loop sees the rest.
      subscription.on('error', () => {});
      subscription.on('confirmation', () => {
        attempt = 0;
        options.report({
          id: options.id,
          state: 'connected',
          lastPosition: last,
          since: new Date(),
        });
      });
      // Pushed into the same buffer as the events, so it keeps its place among them.
      subscription.on('caughtUp', () => subscription.push({ [CAUGHT_UP]: true }));
      let failure: unknown = new Error('the server ended the subscription');
      try {
        for await (const item of subscription as AsyncIterable<Item>) {
          if (abort.signal.aborted) return;
          if (CAUGHT_UP in item) {
            if (!caughtUpSent) {
              caughtUpSent = true;
              yield { kind: 'caughtUp' };
            }
            continue;
          }
          const recorded = item.event;
          if (!recorded) continue;
          const position = fromEsdbPosition(recorded.position);
          if (last && comparePositions(position, last) <= 0) continue;
          last = position;
          if (visible(recorded)) yield { kind: 'event', event: fromEsdbEvent(recorded) };
        }
      } catch (error) {
        failure = error;
      } finally {
        current = null;
        subscription.removeAllListeners('caughtUp');
        void subscription.unsubscribe().catch(() => {});
        subscription.destroy();
      }
      if (abort.signal.aborted) return;
      attempt += 1;
      const delay = backoffDelay(attempt, options.backoff);
      options.report({
        id: options.id,
        state: 'reconnecting',
        lastPosition: last,
        attempt,
        lastError: failure instanceof Error ? failure.message : String(failure),
        nextAttemptAt: new Date(Date.now() + delay),
      });
      await sleep(delay, abort.signal);
    }
  }

  const close = async () => {
    if (abort.signal.aborted) return;
    abort.abort();
    options.report(null);
    const open = current;
    if (open) {
      await open.unsubscribe().catch(() => {});
      open.destroy();
    }
  };
  const iterator = run();
  return {
    [Symbol.asyncIterator]: () => ({
      next: () => iterator.next(),
      return: async () => {
        await close();
        return { done: true, value: undefined };
      },
    }),
    unsubscribe: close,
  };
}
