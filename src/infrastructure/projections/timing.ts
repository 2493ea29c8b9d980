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
