import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../src/application/ports/event-store.js';
import { EventCache } from '../../src/infrastructure/eventstore/mariadb/event-cache.js';

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
const positions = (answer: { events: RecordedEvent[]; complete: boolean }) => ({
  positions: answer.events.map((e) => e.position.commit),
  complete: answer.complete,
});

describe('EventCache: events parsed once for every subscription of the process', () => {
  it('answers whole pages, and short runs only when they reach the known head', () => {
    const cache = new EventCache();
    cache.follow(0);
    cache.add(at(11, 15));
    expect(positions(cache.after(10, 3, 15))).toEqual({ positions: [11, 12, 13], complete: true });
    expect(positions(cache.after(12, 100, 15))).toEqual({
      positions: [13, 14, 15],
      complete: true,
    });
    // The head is further than what it holds: the rest is read from the table.
    expect(positions(cache.after(12, 100, 20))).toEqual({
      positions: [13, 14, 15],
      complete: false,
    });
    expect(positions(cache.after(12, 100, null))).toEqual({
      positions: [13, 14, 15],
      complete: false,
    });
    // Position 10 and earlier may hold events it never saw.
    expect(positions(cache.after(9, 10, 15))).toEqual({ positions: [], complete: false });
    expect(positions(cache.after(15, 10, 15))).toEqual({ positions: [], complete: false });
  });

  it('stops at a hole: events another process appended, not read yet', () => {
    const cache = new EventCache();
    cache.follow(0);
    cache.add(at(11, 15));
    cache.add(at(21, 22));
    expect(positions(cache.after(12, 10, 22))).toEqual({
      positions: [13, 14, 15],
      complete: false,
    });
    // A subscription read 16..20 from the table: the run is whole now.
    cache.add(at(16, 20));
    expect(positions(cache.after(12, 10, 22)).positions).toEqual([
      13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
    ]);
  });

  it('keeps nothing without subscriptions, and drops what every subscription has read', () => {
    const cache = new EventCache();
    cache.add(at(1, 5));
    expect(cache.size).toBe(0);
    const slow = cache.follow(0);
    const fast = cache.follow(0);
    cache.add(at(1, 10));
    fast.move(10);
    slow.move(4);
    cache.add(at(11, 12));
    expect(positions(cache.after(4, 100, 12)).positions).toEqual([5, 6, 7, 8, 9, 10, 11, 12]);
    expect(cache.size).toBe(8);
    slow.end();
    expect(cache.size).toBe(2);
    fast.end();
    expect(cache.size).toBe(0);
  });

  it('keeps at most its limits, dropping the oldest', () => {
    const cache = new EventCache({ events: 5, chars: 1_000 });
    cache.follow(0);
    for (let p = 1; p <= 40; p += 4) cache.add(at(p, p + 3));
    expect(cache.after(34, 100, 40).complete).toBe(false);
    expect(positions(cache.after(35, 100, 40)).positions).toEqual([36, 37, 38, 39, 40]);

    const small = new EventCache({ events: 100, chars: 25 });
    small.follow(0);
    small.add(at(1, 4, 10));
    expect(positions(small.after(2, 100, 4)).positions).toEqual([3, 4]);
    expect(small.size).toBe(2);
  });
});
