import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../src/application/ports/event-store.js';
import { RecentEvents } from '../../src/infrastructure/eventstore/mariadb/recent-events.js';

/** Events at positions from..to, each counted as `size` characters. */
function at(from: number, to: number, size = 10) {
  return Array.from({ length: to - from + 1 }, (_, i) => ({
    event: {
      id: `e${from + i}`,
      type: 'Kept',
      data: {},
      metadata: { actor: 'system', correlationId: 'c', occurredAt: '' },
      streamId: 's',
      revision: i,
      position: { commit: from + i, prepare: from + i },
      created: new Date(0),
    } satisfies RecordedEvent,
    size,
  }));
}
const positions = (events: RecordedEvent[] | null) =>
  events && events.map((e) => e.position.commit);

describe('RecentEvents: what this process appended, for its subscriptions', () => {
  it('serves events after a position it holds, up to the limit', () => {
    const recent = new RecentEvents();
    recent.add(10, at(11, 15));
    expect(positions(recent.after(10, 100))).toEqual([11, 12, 13, 14, 15]);
    expect(positions(recent.after(12, 2))).toEqual([13, 14]);
    recent.add(15, at(16, 17));
    expect(positions(recent.after(14, 100))).toEqual([15, 16, 17]);
  });

  it('sends to the database what it cannot answer whole: before its run, or at its end', () => {
    const recent = new RecentEvents();
    expect(recent.after(0, 10)).toBeNull();
    recent.add(10, at(11, 15));
    // Position 10 and earlier may hold events of other processes.
    expect(recent.after(9, 10)).toBeNull();
    // Nothing known after 15 here: another process may have appended since.
    expect(recent.after(15, 10)).toBeNull();
    expect(recent.after(99, 10)).toBeNull();
  });

  it('starts a new run when another process appended in between', () => {
    const recent = new RecentEvents();
    recent.add(10, at(11, 15));
    // 16..20 were appended elsewhere: the head read under the lock was 20.
    recent.add(20, at(21, 22));
    expect(recent.after(15, 10)).toBeNull();
    expect(recent.after(12, 10)).toBeNull();
    expect(positions(recent.after(20, 10))).toEqual([21, 22]);
  });

  it('keeps at most its limits, dropping the oldest', () => {
    const recent = new RecentEvents({ events: 5, chars: 1_000 });
    for (let p = 1; p <= 40; p += 4) recent.add(p - 1, at(p, p + 3));
    expect(recent.after(34, 100)).toBeNull();
    expect(positions(recent.after(35, 100))).toEqual([36, 37, 38, 39, 40]);

    const small = new RecentEvents({ events: 100, chars: 25 });
    small.add(0, at(1, 4, 10));
    expect(small.after(1, 100)).toBeNull();
    expect(positions(small.after(2, 100))).toEqual([3, 4]);
    // One event larger than the bound is still kept: the newest is always there.
    small.add(4, at(5, 5, 100));
    expect(positions(small.after(4, 100))).toEqual([5]);
  });
});
