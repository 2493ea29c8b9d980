/**
 * Mutual exclusion across processes (several workers): at most one holder of a name at a time.
 * A holder that dies loses the lock with its connection.
 */
export interface Mutex {
  /** Runs `work` holding `name`, or returns `{ acquired: false }` at once when it is taken. */
  tryWithLock<T>(
    name: string,
    work: () => Promise<T>,
  ): Promise<{ acquired: true; value: T } | { acquired: false }>;
}

/** In-process only: for unit tests and single-process tools. */
export class LocalMutex implements Mutex {
  private readonly held = new Set<string>();

  async tryWithLock<T>(name: string, work: () => Promise<T>) {
    if (this.held.has(name)) return { acquired: false as const };
    this.held.add(name);
    try {
      return { acquired: true as const, value: await work() };
    } finally {
      this.held.delete(name);
    }
  }
}
