import type {
  RecordedEvent,
  Subscription,
  SubscriptionMessage,
} from '../../src/application/ports/event-store.js';

/**
 * Consumes a subscription in the background and lets a test wait until what it has received
 * satisfies a predicate. Waiting is driven by arriving messages, never by sleeps; the timeout
 * only turns a hang into a failure with a readable message.
 */
export class SubscriptionRecorder {
  readonly messages: SubscriptionMessage[] = [];
  readonly events: RecordedEvent[] = [];
  /** how many times each event id was received */
  readonly seen = new Map<string, number>();
  private error: unknown = null;
  private ended = false;
  private readonly listeners = new Set<() => void>();
  private readonly loop: Promise<void>;

  constructor(readonly subscription: Subscription) {
    this.loop = this.consume();
  }

  private async consume(): Promise<void> {
    try {
      for await (const message of this.subscription) {
        this.messages.push(message);
        if (message.kind === 'event') {
          this.events.push(message.event);
          this.seen.set(message.event.id, (this.seen.get(message.event.id) ?? 0) + 1);
        }
        this.wake();
      }
    } catch (error) {
      this.error = error;
    } finally {
      this.ended = true;
      this.wake();
    }
  }

  private wake(): void {
    for (const listener of [...this.listeners]) listener();
  }

  get caughtUpCount(): number {
    return this.messages.filter((m) => m.kind === 'caughtUp').length;
  }

  /** Events received before the (first) caughtUp message. */
  get eventsBeforeCaughtUp(): RecordedEvent[] {
    const index = this.messages.findIndex((m) => m.kind === 'caughtUp');
    return this.messages
      .slice(0, index === -1 ? this.messages.length : index)
      .flatMap((m) => (m.kind === 'event' ? [m.event] : []));
  }

  /** Resolves once `predicate` holds; rejects on timeout, on a subscription error or end. */
  waitFor(
    predicate: (recorder: SubscriptionRecorder) => boolean,
    what = 'condition',
    timeoutMs = 20_000,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (predicate(this)) return finish();
        if (this.error) return finish(this.error);
        if (this.ended) return finish(new Error(`subscription ended before ${what}`));
      };
      const finish = (error?: unknown) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        if (error === undefined) resolve();
        else reject(error instanceof Error ? error : new Error(String(error)));
      };
      const timer = setTimeout(
        () =>
          finish(
            new Error(
              `timed out after ${timeoutMs} ms waiting for ${what} (${this.messages.length} messages)`,
            ),
          ),
        timeoutMs,
      );
      this.listeners.add(check);
      check();
    });
  }

  waitForCaughtUp(timeoutMs?: number): Promise<void> {
    return this.waitFor((r) => r.caughtUpCount > 0, 'caughtUp', timeoutMs);
  }

  /** Waits until an event with this id has been received. */
  waitForEvent(eventId: string, timeoutMs?: number): Promise<void> {
    return this.waitFor((r) => r.seen.has(eventId), `event ${eventId}`, timeoutMs);
  }

  /** Resolves when the consuming loop has ended (after unsubscribe, or on an error). */
  async done(): Promise<void> {
    await this.loop;
  }

  get hasEnded(): boolean {
    return this.ended;
  }

  get failure(): unknown {
    return this.error;
  }

  async stop(): Promise<void> {
    await this.subscription.unsubscribe();
    await this.loop;
  }
}
