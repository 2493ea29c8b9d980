/** Resolves after `ms`, or at once when `signal` aborts. Never rejects. */
export { sleep as delay } from '../shared/sleep.js';

/** Wakes everyone waiting on it; waits are bounded so a missed wake-up costs one timeout. */
export class Signal {
  private waiters = new Set<() => void>();

  notify(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }

  wait(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(done);
        resolve();
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.add(done);
    });
  }
}

/**
 * The projection runner's wait for its next message, a quiet period (`ms`) or an interrupt.
 * It runs once per event of every projection, so it keeps one timer for the run (restarted
 * with `refresh()` while the period stays the same) and one abort listener, rather than a
 * timer, a listener and a `Promise.race` for every event.
 */
export class MessageWaiter<T> {
  private settle: ((outcome: T | 'timeout' | 'interrupted') => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private timerMs: number | null = null;
  private readonly onAbort = () => this.settle?.('interrupted');

  constructor(private readonly signal: AbortSignal) {
    signal.addEventListener('abort', this.onAbort, { once: true });
  }

  /** `pending` (the next message), or 'timeout' after `ms` (null: none), or 'interrupted'. */
  next(pending: Promise<T>, ms: number | null): Promise<T | 'timeout' | 'interrupted'> {
    if (this.signal.aborted) return Promise.resolve('interrupted');
    this.arm(ms);
    return new Promise((resolve, reject) => {
      this.settle = resolve;
      pending.then(resolve, reject);
    });
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.settle = null;
    this.signal.removeEventListener('abort', this.onAbort);
  }

  private arm(ms: number | null): void {
    if (ms === null) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      return;
    }
    if (this.timer && this.timerMs === ms) {
      this.timer.refresh();
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timerMs = ms;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.settle?.('timeout');
    }, ms);
  }
}
