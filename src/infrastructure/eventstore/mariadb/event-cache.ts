import type { RecordedEvent } from '../../../application/ports/event-store.js';

export interface CachedEvent {
  event: RecordedEvent;
  /** the length of its JSON, what the memory bound counts */
  size: number;
}

/** Where one subscription has read to: the cache keeps nothing every subscription is past. */
export interface CacheCursor {
  /** the position read up to (null: the start) */
  move(to: number | null): void;
  end(): void;
}

/**
 * Committed events by position, parsed once for every subscription of this process: a worker
 * runs a dozen projections, and each read each page of `events` from MariaDB and parsed its
 * JSON again. What this process appends goes in after its commit; a page one subscription
 * read from the table goes in for the others behind it. An event at a position never changes
 * once committed, so whatever the cache holds is right; what it cannot say is whether it holds
 * everything, which is why `after` answers only runs without a hole (see there).
 *
 * Events every subscription has read past are dropped; so is the oldest beyond the limits
 * (events, characters of JSON), as when one subscription is far behind the others.
 */
export class EventCache {
  /** by position, in the order they came (mostly ascending) */
  private readonly events = new Map<number, CachedEvent>();
  private chars = 0;
  private readonly cursors = new Set<{ at: number }>();

  constructor(private readonly limits = { events: 20_000, chars: 16 * 1024 * 1024 }) {}

  /** A subscription starting after `from`: the cache keeps what it has yet to read. */
  follow(from: number | null): CacheCursor {
    const cursor = { at: from ?? 0 };
    this.cursors.add(cursor);
    return {
      move: (to) => {
        cursor.at = to ?? 0;
      },
      end: () => {
        this.cursors.delete(cursor);
        this.trim();
      },
    };
  }

  /** Committed events (appended by this process, or read from the table). */
  add(entries: readonly CachedEvent[]): void {
    if (this.cursors.size === 0) return;
    for (const entry of entries) {
      const position = entry.event.position.commit;
      if (this.events.has(position)) continue;
      this.events.set(position, entry);
      this.chars += entry.size;
    }
    this.trim();
  }

  /**
   * The events strictly after position `after`, at most `limit`, as far as the cache holds
   * them without a hole. `complete` says whether that is the whole answer: `limit` events, or
   * a run that reaches `head` (the highest position known to be committed; positions commit in
   * order, so nothing lay beyond it when it was learned). Otherwise the caller reads the rest
   * from the table.
   */
  after(
    after: number,
    limit: number,
    head: number | null,
  ): { events: RecordedEvent[]; complete: boolean } {
    const events: RecordedEvent[] = [];
    for (let p = after + 1; events.length < limit; p++) {
      const entry = this.events.get(p);
      if (!entry) break;
      events.push(entry.event);
    }
    const last = events.at(-1)?.position.commit;
    const complete =
      events.length === limit || (last !== undefined && head !== null && last >= head);
    return { events, complete };
  }

  get size(): number {
    return this.events.size;
  }

  private trim(): void {
    let slowest = Infinity;
    for (const cursor of this.cursors) slowest = Math.min(slowest, cursor.at);
    for (const [position, entry] of this.events) {
      const over = this.events.size > this.limits.events || this.chars > this.limits.chars;
      if (!over && position > slowest) break;
      this.events.delete(position);
      this.chars -= entry.size;
    }
  }
}
