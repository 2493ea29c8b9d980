import type { RecordedEvent } from '../../../application/ports/event-store.js';

interface Entry {
  event: RecordedEvent;
  /** the length of its JSON, what the memory bound counts */
  size: number;
}

/**
 * The events this process appended last, as one run of consecutive positions, for the
 * subscriptions of this process: a worker runs a dozen projections, and each would otherwise
 * read every event it was just woken for from MariaDB and parse its JSON again. Positions are
 * dense and committed in order (see MariaDbEventStore.append), so a run that starts right after
 * the head read under the append lock has no holes; an append by another process in between
 * starts a new run, and whatever lies before the run is read from the database as before.
 */
export class RecentEvents {
  private entries: Entry[] = [];
  /** index of the first entry still kept (the array is compacted now and then) */
  private start = 0;
  private chars = 0;

  constructor(private readonly limits = { events: 5_000, chars: 8 * 1024 * 1024 }) {}

  /** After a commit: `appended` took the positions right after `head`, the highest before them. */
  add(head: number, appended: readonly Entry[]): void {
    if (appended.length === 0) return;
    if (this.last() !== head) this.clear();
    for (const entry of appended) {
      this.entries.push(entry);
      this.chars += entry.size;
    }
    const kept = () => this.entries.length - this.start;
    while (kept() > 1 && (kept() > this.limits.events || this.chars > this.limits.chars)) {
      this.chars -= this.entries[this.start]!.size;
      this.start++;
    }
    if (this.start > this.limits.events) {
      this.entries = this.entries.slice(this.start);
      this.start = 0;
    }
  }

  /**
   * The events strictly after position `after`, at most `limit`, when this run holds the first
   * of them; null when the database must be asked (it may also hold later events, appended by
   * other processes: so an empty answer is never given).
   */
  after(after: number, limit: number): RecordedEvent[] | null {
    const first = this.entries[this.start]?.event.position.commit;
    const last = this.last();
    if (first === undefined || last === undefined || after + 1 < first || after >= last) {
      return null;
    }
    const from = this.start + (after + 1 - first);
    return this.entries.slice(from, from + limit).map((e) => e.event);
  }

  clear(): void {
    this.entries = [];
    this.start = 0;
    this.chars = 0;
  }

  private last(): number | undefined {
    return this.entries.length > this.start
      ? this.entries.at(-1)!.event.position.commit
      : undefined;
  }
}
