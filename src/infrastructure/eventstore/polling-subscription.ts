import type {
  Position,
  RecordedEvent,
  Subscription,
  SubscriptionMessage,
} from '../../application/ports/event-store.js';

export interface PollingSource {
  /** events strictly after `after` (null = from the start), in position order, at most `limit` */
  readAfter(after: Position | null, limit: number): Promise<RecordedEvent[]>;
  /**
   * resolves when something may have been appended, or after `timeoutMs`, or on abort; at once
   * when `since` (a value of `appendVersion()`) is already out of date
   */
  waitForAppend(timeoutMs: number, signal: AbortSignal, since?: number): Promise<void>;
  /** a counter of in-process appends (AppendSignal.version), read before each page */
  appendVersion?(): number;
}

/**
 * A catch-up subscription over a store that can be read by position: pages through what is
 * there, reports caught-up once, then waits for in-process wake-ups (or polls, for appends made
 * by other processes). Pull-based: nothing is read until the consumer asks for more.
 */
export function pollingSubscription(
  source: PollingSource,
  from: Position | null,
  options: {
    batchSize?: number;
    pollMs?: number;
    accept?: (e: RecordedEvent) => boolean;
    /** called once when the subscription ends (unsubscribed, or its iteration stopped) */
    onEnd?: () => void;
  } = {},
): Subscription {
  const batchSize = options.batchSize ?? 500;
  const pollMs = options.pollMs ?? 500;
  const accept = options.accept ?? (() => true);
  const abort = new AbortController();
  let ended = false;
  const end = () => {
    abort.abort();
    if (ended) return;
    ended = true;
    options.onEnd?.();
  };

  async function* run(): AsyncGenerator<SubscriptionMessage> {
    let last = from;
    let caughtUp = false;
    while (!abort.signal.aborted) {
      // Taken before reading: an append that lands between the read and the wait (while the
      // consumer holds the caughtUp message, say) must not leave us sleeping a whole poll.
      const version = source.appendVersion?.();
      const batch = await source.readAfter(last, batchSize);
      if (abort.signal.aborted) return;
      for (const event of batch) {
        last = event.position;
        if (accept(event)) yield { kind: 'event', event };
        if (abort.signal.aborted) return;
      }
      if (batch.length < batchSize) {
        if (!caughtUp) {
          caughtUp = true;
          yield { kind: 'caughtUp' };
        }
        await source.waitForAppend(pollMs, abort.signal, version);
      }
    }
  }

  const iterator = run();
  return {
    [Symbol.asyncIterator]: () => ({
      next: () => iterator.next(),
      return: async () => {
        end();
        return { done: true, value: undefined };
      },
    }),
    async unsubscribe() {
      end();
    },
  };
}

/** A wake-up signal that in-process appenders fire and subscribers wait on. */
export class AppendSignal {
  private waiters = new Set<() => void>();
  private count = 0;

  /** increases with every notify() */
  get version(): number {
    return this.count;
  }

  notify(): void {
    this.count++;
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }

  /** `since`: a `version` read earlier; if a notify() came after it, resolves at once */
  wait(timeoutMs: number, signal: AbortSignal, since?: number): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted || (since !== undefined && since !== this.count)) return resolve();
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
