import { randomUUID } from 'node:crypto';
import {
  BACKWARDS,
  binaryEvent,
  END,
  EventStoreDBClient,
  eventTypeFilter,
  jsonEvent,
  StreamNotFoundError,
  WrongExpectedVersionError as EsdbWrongExpectedVersionError,
  type AllStreamResolvedEvent,
} from '@eventstore/db-client';
import { filter, firstValueFrom, timeout } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventStoreUnavailableError } from '../../src/application/ports/event-store.js';
import {
  EsdbEventStore,
  type SubscriptionStatus,
} from '../../src/infrastructure/eventstore/esdb/esdb-event-store.js';
import { startEsdbSimulator, type EsdbSimulator } from '../simulators/esdb/server.js';
import { SubscriptionRecorder } from '../support/subscription.js';
import { ids, newEvent } from './event-store.contract-helpers.js';
import { describeEventStoreContract } from './event-store.contract.js';

describeEventStoreContract('esdb (simulator)', async () => {
  const simulator = await startEsdbSimulator();
  const store = new EsdbEventStore(simulator.url);
  return {
    store,
    async teardown() {
      await store.close();
      await simulator.stop();
    },
  };
});

function statusOf(store: EsdbEventStore, predicate: (s: SubscriptionStatus) => boolean) {
  return firstValueFrom(
    store.subscriptionStatuses$.pipe(
      filter((all) => all.some(predicate)),
      timeout(20_000),
    ),
  );
}

describe('EsdbEventStore: supervised subscriptions', () => {
  let simulator: EsdbSimulator;
  let store: EsdbEventStore;

  beforeAll(async () => {
    simulator = await startEsdbSimulator();
    store = new EsdbEventStore(simulator.url, {
      backoff: { initialDelayMs: 20, maxDelayMs: 300 },
      healthTimeoutMs: 1_000,
    });
  });
  afterAll(async () => {
    await store.close();
    await simulator.stop();
  });

  it('survives the server stopping and coming back: every event once, in order', async () => {
    const stream = `outage-${randomUUID()}`;
    const before = [newEvent(), newEvent()];
    await store.appendToStream(stream, before);
    const recorder = new SubscriptionRecorder(
      store.subscribeToAll({ filter: { on: 'streamName', prefixes: [stream] } }),
    );
    await recorder.waitFor((r) => r.events.length === 2, 'events before the outage');
    await statusOf(store, (s) => s.state === 'connected');

    await simulator.stop();
    const reconnecting = await statusOf(store, (s) => s.state === 'reconnecting');
    expect(reconnecting[0]).toMatchObject({ state: 'reconnecting', attempt: expect.any(Number) });
    const down = await store.health();
    expect(down.ok).toBe(false);
    expect(down.serverAnswers).toBe(false);
    expect(down.subscriptions[0]?.state).toBe('reconnecting');
    expect(down.detail).toMatch(/reconnecting \(attempt \d+\)/);
    await expect(store.appendToStream(stream, [newEvent()])).rejects.toBeInstanceOf(
      EventStoreUnavailableError,
    );

    simulator = await startEsdbSimulator({ port: simulator.port, state: simulator.state });
    const after = [newEvent(), newEvent(), newEvent()];
    await store.appendToStream(stream, after.slice(0, 1));
    await store.appendToStream(stream, after.slice(1));
    await recorder.waitFor((r) => r.events.length >= 5, 'events after the outage');
    await statusOf(store, (s) => s.state === 'connected');

    expect(ids(recorder.events)).toEqual(ids([...before, ...after]));
    expect([...recorder.seen.values()].every((n) => n === 1)).toBe(true);
    expect(recorder.caughtUpCount).toBe(1);
    const up = await store.health();
    expect(up).toMatchObject({ ok: true, serverAnswers: true });
    await recorder.stop();
    expect(store.subscriptionStatuses()).toEqual([]);
  });
});

describe('EsdbEventStore: an unreachable server', () => {
  it('fails on first use with a clear EventStoreUnavailableError', async () => {
    const gone = await startEsdbSimulator();
    await gone.stop();
    const store = new EsdbEventStore(`esdb://admin:secret@127.0.0.1:${gone.port}?tls=false`);
    try {
      const error = await store.appendToStream('s', [newEvent()]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EventStoreUnavailableError);
      expect((error as Error).message).toContain(`127.0.0.1:${gone.port}`);
      expect((error as Error).message).not.toContain('secret');
      await expect(store.readStream('s')).rejects.toBeInstanceOf(EventStoreUnavailableError);
      const health = await store.health();
      expect(health).toMatchObject({ ok: false, serverAnswers: false });
    } finally {
      await store.close();
    }
  });
});

describe('EventStoreDB simulator with the raw client', () => {
  let simulator: EsdbSimulator;
  let client: EventStoreDBClient;

  beforeAll(async () => {
    simulator = await startEsdbSimulator();
    client = EventStoreDBClient.connectionString(simulator.url);
  });
  afterAll(async () => {
    await client.dispose();
    await simulator.stop();
  });

  const event = (type = 'Tested', id = randomUUID()) => jsonEvent({ id, type, data: { id } });

  it('answers a wrong expected version in-band, and a retried append with success', async () => {
    const stream = `raw-${randomUUID()}`;
    const first = event();
    const result = await client.appendToStream(stream, [first], { expectedRevision: 'no_stream' });
    expect(result.nextExpectedRevision).toBe(0n);
    const error = await client
      .appendToStream(stream, [event()], { expectedRevision: 5n })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EsdbWrongExpectedVersionError);
    expect(error).toMatchObject({ actualVersion: 0n, expectedVersion: 5n });
    const retried = await client.appendToStream(stream, [first], { expectedRevision: 'no_stream' });
    expect(retried).toEqual(result);
  });

  it('reports a missing stream as stream-not-found', async () => {
    const read = async () => {
      for await (const resolved of client.readStream(`missing-${randomUUID()}`)) void resolved;
    };
    await expect(read()).rejects.toBeInstanceOf(StreamNotFoundError);
  });

  it('keeps system events in $all and filters subscriptions by event type', async () => {
    const types: string[] = [];
    for await (const resolved of client.readAll({ fromPosition: END, direction: BACKWARDS })) {
      types.push(resolved.event!.type);
    }
    expect(types.some((t) => t.startsWith('$'))).toBe(true);

    const prefix = `Sim${randomUUID().slice(0, 8)}`;
    const stream = `raw-${randomUUID()}`;
    await client.appendToStream(stream, [event(`${prefix}A`), event('Other'), event(`${prefix}B`)]);
    const subscription = client.subscribeToAll({ filter: eventTypeFilter({ prefixes: [prefix] }) });
    const received: string[] = [];
    const live = event(`${prefix}C`);
    subscription.on('caughtUp', () => void client.appendToStream(stream, [live]));
    for await (const resolved of subscription as AsyncIterable<AllStreamResolvedEvent>) {
      received.push(resolved.event!.type);
      if (received.length === 3) break;
    }
    await subscription.unsubscribe();
    expect(received).toEqual([`${prefix}A`, `${prefix}B`, `${prefix}C`]);
  });
});

describe('EsdbEventStore: snapshots in their own stream', () => {
  let simulator: EsdbSimulator;
  let store: EsdbEventStore;
  let client: EventStoreDBClient;

  beforeAll(async () => {
    simulator = await startEsdbSimulator();
    // Small parts, so an ordinary state spans several appends.
    store = new EsdbEventStore(simulator.url, { snapshotPartBytes: 4096 });
    client = EventStoreDBClient.connectionString(simulator.url);
  });
  afterAll(async () => {
    await client.dispose();
    await store.close();
    await simulator.stop();
  });

  const bigState = (label: string) => ({
    label,
    items: Array.from({ length: 2_000 }, (_, i) => [i, `${label}-${randomUUID()}`]),
  });

  async function rawSnapshotEvents(streamId: string) {
    const events: Array<{ type: string; metadata: unknown; revision: bigint }> = [];
    for await (const resolved of client.readStream(`snapshot-${streamId}`)) {
      events.push({
        type: resolved.event!.type,
        metadata: resolved.event!.metadata,
        revision: resolved.event!.revision,
      });
    }
    return events;
  }

  it('writes a large state in several parts, and hides the earlier snapshots after a new one', async () => {
    const streamId = `snap-parts-${randomUUID()}`;
    const first = bigState('first');
    await store.writeSnapshot({ streamId, revision: 10, schemaVersion: 1, state: first });
    const parts = await rawSnapshotEvents(streamId);
    expect(parts.length).toBeGreaterThan(3);
    expect(parts.every((p) => p.type === '$snapshot')).toBe(true);
    expect((await store.readSnapshot(streamId))?.state).toEqual(first);

    const second = bigState('second');
    await store.writeSnapshot({ streamId, revision: 20, schemaVersion: 1, state: second });
    expect(await store.readSnapshot(streamId)).toMatchObject({ revision: 20, state: second });
    // Truncate-before: reads start at the current snapshot's first part.
    const visible = await rawSnapshotEvents(streamId);
    expect(visible[0]!.revision).toBe(BigInt(parts.length));
    expect(visible.every((p) => (p.metadata as { revision: number }).revision === 20)).toBe(true);
  });

  it('ignores a snapshot whose write was interrupted, and the next write replaces it', async () => {
    const streamId = `snap-cut-${randomUUID()}`;
    await store.writeSnapshot({ streamId, revision: 5, schemaVersion: 1, state: { n: 5 } });
    // A writer that crashed after its first of three parts.
    await client.appendToStream(
      `snapshot-${streamId}`,
      binaryEvent({
        type: '$snapshot',
        data: Buffer.from('not all of it'),
        metadata: { snapshotId: randomUUID(), revision: 9, schemaVersion: 1, part: 0, parts: 3 },
      }),
    );
    expect(await store.readSnapshot(streamId)).toBeNull();
    expect(
      await store.writeSnapshot({ streamId, revision: 7, schemaVersion: 1, state: { n: 7 } }),
    ).toBe(true);
    expect(await store.readSnapshot(streamId)).toMatchObject({ revision: 7, state: { n: 7 } });
  });
});
