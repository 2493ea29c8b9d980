import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EventStoreUnavailableError,
  WrongExpectedVersionError,
  type NewEvent,
} from '../../src/application/ports/event-store.js';
import { createSequelize } from '../../src/infrastructure/db/database.js';
import { MariaDbEventStore } from '../../src/infrastructure/eventstore/mariadb/mariadb-event-store.js';
import { createTestDatabase } from '../support/mariadb.js';
import { SubscriptionRecorder } from '../support/subscription.js';
import { expectStrictlyIncreasing, ids, newEvent } from './event-store.contract-helpers.js';
import { describeEventStoreContract } from './event-store.contract.js';

describeEventStoreContract('mariadb', async () => {
  const db = await createTestDatabase('contract');
  const store = await MariaDbEventStore.create(db.url);
  return {
    store,
    async teardown() {
      await store.close();
      await db.drop();
    },
  };
});

describe('MariaDbEventStore', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let store: MariaDbEventStore;

  beforeAll(async () => {
    db = await createTestDatabase('mariadb_es');
    store = await MariaDbEventStore.create(db.url);
  });
  afterAll(async () => {
    await store.close();
    await db.drop();
  });

  it('starts empty on a fresh database and reports healthy', async () => {
    expect(await store.headPosition()).toBeNull();
    expect(await store.readAll()).toEqual([]);
    expect(await store.health()).toEqual({ ok: true, adapter: 'mariadb' });
  });

  it('appendBatch writes to many streams atomically with consecutive positions', async () => {
    const head = (await store.headPosition())?.commit ?? 0;
    const items = Array.from({ length: 1000 }, (_, i) => ({
      streamId: `batch-${i}`,
      events: [newEvent('BatchItemAdded', { i, name: `товар ${i}` })],
      expectedRevision: 'no_stream' as const,
    }));
    const results = await store.appendBatch(items);
    expect(results.map((r) => r.position.commit)).toEqual(items.map((_, i) => head + i + 1));
    expect(results.every((r) => r.nextExpectedRevision === 0)).toBe(true);
    const stored = await store.readAll({ fromPosition: { commit: head + 1, prepare: head + 1 } });
    expect(ids(stored)).toEqual(items.map((item) => item.events[0]!.id));
    expect((await store.readStream('batch-999'))[0]!.data).toEqual({ i: 999, name: 'товар 999' });

    // Retrying the whole batch answers with the original results and writes nothing.
    expect(await store.appendBatch(items)).toEqual(results);
    expect(await store.headPosition()).toEqual(results.at(-1)!.position);
  });

  it('appendBatch writes nothing when one expected revision fails', async () => {
    const before = await store.headPosition();
    const first = newEvent();
    const error = await store
      .appendBatch([
        { streamId: 'batch-fail-a', events: [first], expectedRevision: 'no_stream' },
        { streamId: 'batch-0', events: [newEvent()], expectedRevision: 'no_stream' },
      ])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WrongExpectedVersionError);
    expect((error as WrongExpectedVersionError).actual).toBe(0);
    expect(await store.headPosition()).toEqual(before);
    expect(await store.readStream('batch-fail-a')).toEqual([]);
  });

  it('appendBatch appends twice to one stream in order', async () => {
    const [a, b, c] = [newEvent(), newEvent(), newEvent()];
    const results = await store.appendBatch([
      { streamId: 'batch-twice', events: [a!, b!], expectedRevision: 'no_stream' },
      { streamId: 'batch-twice', events: [c!], expectedRevision: 1 },
    ]);
    expect(results.map((r) => r.nextExpectedRevision)).toEqual([1, 2]);
    expect(ids(await store.readStream('batch-twice'))).toEqual(ids([a!, b!, c!]));
  });

  it('two processes append while a third subscribes: every event once, in order', async () => {
    const [writerA, writerB, reader] = await Promise.all(
      [1, 2, 3].map(() => MariaDbEventStore.create(db.url, { pollMs: 250 })),
    );
    const recorder = new SubscriptionRecorder(reader!.subscribeToAll());
    try {
      const write = async (writer: MariaDbEventStore, label: string) => {
        const mine: NewEvent[] = [];
        for (let i = 0; i < 60; i++) {
          const batch = Array.from({ length: 1 + (i % 3) }, () => newEvent('TwoProcesses'));
          await writer.appendToStream(`two-${label}-${i % 4}`, batch);
          mine.push(...batch);
        }
        return mine;
      };
      const written = (
        await Promise.all([
          write(writerA!, 'a'),
          write(writerA!, 'a2'),
          write(writerB!, 'b'),
          write(writerB!, 'b2'),
        ])
      ).flat();
      const sentinel = newEvent('TwoProcessesDone');
      await writerB!.appendToStream('two-sentinel', [sentinel]);
      await recorder.waitFor((r) => r.seen.has(sentinel.id), 'the sentinel', 60_000);

      const ours = recorder.events.filter((e) => e.streamId.startsWith('two-'));
      expect(new Set(ids(ours))).toEqual(new Set([...ids(written), sentinel.id]));
      expect(ours).toHaveLength(written.length + 1);
      expect([...recorder.seen.values()].every((n) => n === 1)).toBe(true);
      expectStrictlyIncreasing(recorder.events.map((e) => e.position));
      // Positions are gap-free: a gap would mean a position was skipped or is yet to commit.
      const positions = recorder.events.map((e) => e.position.commit);
      expect(positions).toEqual(positions.map((_, i) => positions[0]! + i));
    } finally {
      await recorder.stop();
      await Promise.all([writerA, writerB, reader].map((s) => s!.close()));
    }
  }, 120_000);

  it('a subscriber in one of two appending processes gets every event once, as a read returns it', async () => {
    // The subscriber's own process serves its appends from memory; the other's come from the
    // table, and each append by the other process interrupts the run kept in memory.
    const [writerA, writerB] = await Promise.all(
      [1, 2].map(() => MariaDbEventStore.create(db.url, { pollMs: 250 })),
    );
    const start = await writerA!.headPosition();
    const recorder = new SubscriptionRecorder(
      writerA!.subscribeToAll(start ? { fromPosition: start } : {}),
    );
    try {
      const written: NewEvent[] = [];
      for (let i = 0; i < 40; i++) {
        const writer = i % 5 < 3 ? writerA! : writerB!;
        const batch = Array.from({ length: 1 + (i % 4) }, () =>
          newEvent('Interleaved', { i, nested: { list: [i, 'ё'] } }),
        );
        await writer.appendToStream(`interleaved-${i % 3}`, batch);
        written.push(...batch);
        // Whatever the appender does with its objects afterwards is not what was recorded.
        (batch[0]!.data as { i: number }).i = -1;
      }
      const sentinel = newEvent('InterleavedDone');
      await writerA!.appendToStream('interleaved-sentinel', [sentinel]);
      await recorder.waitFor((r) => r.seen.has(sentinel.id), 'the sentinel', 60_000);

      const ours = recorder.events.filter((e) => e.streamId.startsWith('interleaved-'));
      expect(ids(ours)).toEqual([...ids(written), sentinel.id]);
      expect([...recorder.seen.values()].every((n) => n === 1)).toBe(true);
      const read = await store.readAll(start ? { fromPosition: start } : {});
      const asRead = read.filter((e) => e.streamId.startsWith('interleaved-'));
      expect(ours).toEqual(asRead.filter((e) => e.position.commit > (start?.commit ?? 0)));
      expect(ours.map((e) => (e.data as { i?: number }).i)).not.toContain(-1);
    } finally {
      await recorder.stop();
      await Promise.all([writerA, writerB].map((s) => s!.close()));
    }
  }, 120_000);

  it('subscriptions of one process at different places each get every event once, as a read returns it', async () => {
    // Pages one subscription read from the table are kept for the others (EventCache); a
    // subscription that starts behind reads what the others left, with appends of another
    // process making holes in between.
    const [local, other] = await Promise.all(
      [1, 2].map(() => MariaDbEventStore.create(db.url, { pollMs: 250 })),
    );
    const start = await local!.headPosition();
    const from = start ? { fromPosition: start } : {};
    const recorders = [new SubscriptionRecorder(local!.subscribeToAll(from))];
    try {
      const written: NewEvent[] = [];
      for (let i = 0; i < 60; i++) {
        const batch = Array.from({ length: 1 + (i % 7) * 40 }, () => newEvent('Shared', { i }));
        await (i % 4 === 3 ? other! : local!).appendToStream(`shared-${i % 3}`, batch);
        written.push(...batch);
        // Late subscribers: from the start (recorders 1 and 3), and from the middle (2).
        if (i === 20 || i === 40)
          recorders.push(new SubscriptionRecorder(local!.subscribeToAll(from)));
        if (i === 30) {
          const middle = await local!.headPosition();
          recorders.push(
            new SubscriptionRecorder(local!.subscribeToAll({ fromPosition: middle! })),
          );
        }
      }
      const sentinel = newEvent('SharedDone');
      await local!.appendToStream('shared-sentinel', [sentinel]);
      const read = (await store.readAll(from)).filter(
        (e) => e.streamId.startsWith('shared-') && e.position.commit > (start?.commit ?? 0),
      );
      for (const [n, recorder] of recorders.entries()) {
        await recorder.waitFor((r) => r.seen.has(sentinel.id), 'the sentinel', 60_000);
        const got = recorder.events.filter((e) => e.streamId.startsWith('shared-'));
        const first = n === 2 ? read.findIndex((e) => e.id === got[0]?.id) : 0;
        expect(got).toEqual(read.slice(first));
        expect([...recorder.seen.values()].every((count) => count === 1)).toBe(true);
      }
      expect(ids(read)).toEqual([...ids(written), sentinel.id]);
    } finally {
      await Promise.all(recorders.map((r) => r.stop()));
      await Promise.all([local, other].map((s) => s!.close()));
    }
  }, 120_000);

  it('appends made at once are committed together; one refused append fails alone', async () => {
    const taken = newEvent('GroupTaken');
    await store.appendToStream('group-taken', [taken]);
    const good = Array.from({ length: 20 }, (_, i) => ({
      stream: `group-${i}`,
      events: [newEvent('Grouped'), newEvent('Grouped')],
    }));
    const outcomes = await Promise.allSettled([
      ...good.map((g) =>
        store.appendToStream(g.stream, g.events, { expectedRevision: 'no_stream' }),
      ),
      store.appendToStream('group-taken', [newEvent('GroupLate')], { expectedRevision: 5 }),
      store.appendToStream('group-elsewhere', [taken]),
    ]);
    const [wrongRevision, duplicate] = outcomes.slice(-2);
    expect(outcomes.slice(0, -2).every((o) => o.status === 'fulfilled')).toBe(true);
    expect(wrongRevision).toMatchObject({ status: 'rejected' });
    expect((wrongRevision as PromiseRejectedResult).reason).toBeInstanceOf(
      WrongExpectedVersionError,
    );
    expect((duplicate as PromiseRejectedResult).reason).toBeInstanceOf(Error);
    expect(String((duplicate as PromiseRejectedResult).reason)).toMatch(/already in stream/);
    for (const g of good) expect(ids(await store.readStream(g.stream))).toEqual(ids(g.events));
    expect(await store.readStream('group-elsewhere')).toEqual([]);
    expect(ids(await store.readStream('group-taken'))).toEqual([taken.id]);
  });

  it('reports an unreachable database clearly', async () => {
    const nowhere = 'mysql://root@127.0.0.1:1/evosync_nowhere';
    await expect(MariaDbEventStore.create(nowhere)).rejects.toBeInstanceOf(
      EventStoreUnavailableError,
    );
    const sequelize = createSequelize(nowhere);
    const offline = new MariaDbEventStore(sequelize);
    try {
      const health = await offline.health();
      expect(health.ok).toBe(false);
      expect(health.detail).toMatch(/ECONNREFUSED|connect/i);
      await expect(offline.appendToStream('x', [newEvent()])).rejects.toBeInstanceOf(
        EventStoreUnavailableError,
      );
      await expect(offline.readAll()).rejects.toBeInstanceOf(EventStoreUnavailableError);
    } finally {
      await sequelize.close();
    }
  });

  it('close() leaves a Sequelize it was given open', async () => {
    const sequelize = createSequelize(db.url);
    const borrowed = await MariaDbEventStore.create(sequelize);
    await borrowed.appendToStream('borrowed-1', [newEvent()]);
    await borrowed.close();
    const [rows] = await sequelize.query('SELECT COUNT(*) AS n FROM events');
    expect(Number((rows as Array<{ n: number }>)[0]!.n)).toBeGreaterThan(0);
    await sequelize.close();
  });
});
