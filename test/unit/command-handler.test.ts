import { describe, expect, it } from 'vitest';
import {
  CommandHandler,
  StaleRevisionError,
  deterministicId,
} from '../../src/application/commands/command-handler.js';
import type { EventStore } from '../../src/application/ports/event-store.js';
import { DomainError, type Decider } from '../../src/domain/shared/decider.js';
import { MemoryEventStore } from '../../src/infrastructure/eventstore/memory/memory-event-store.js';

type Event = { type: 'Incremented'; data: { by: number } };
type Command = { type: 'Increment'; by: number; max?: number };
const counter: Decider<Command, Event, number> = {
  initialState: () => 0,
  evolve: (n, e) => n + e.data.by,
  decide: (c, n) => {
    if (c.by === 0) return [];
    if (c.max !== undefined && n + c.by > c.max) throw new DomainError('too_big', 'Слишком много');
    return [{ type: 'Incremented', data: { by: c.by } }];
  },
};
const actor = { actor: 'user-1' };

describe('the generic command handler', () => {
  it('appends what decide returns, with metadata', async () => {
    const store = new MemoryEventStore();
    const handler = new CommandHandler(store, { clock: () => new Date('2026-01-02T03:04:05Z') });
    const result = await handler.handle(
      counter,
      'counter-a',
      { type: 'Increment', by: 2 },
      {
        actor: 'user-7',
        correlationId: 'corr-1',
        causationId: 'cause-1',
      },
    );
    expect(result.revision).toBe(0);
    const [event] = await store.readStream('counter-a');
    expect(event).toMatchObject({
      type: 'Incremented',
      data: { by: 2 },
      metadata: {
        actor: 'user-7',
        correlationId: 'corr-1',
        causationId: 'cause-1',
        occurredAt: '2026-01-02T03:04:05.000Z',
      },
    });
  });

  it('appends nothing when decide returns []', async () => {
    const store = new MemoryEventStore();
    const result = await new CommandHandler(store).handle(
      counter,
      'counter-b',
      { type: 'Increment', by: 0 },
      actor,
    );
    expect(result).toEqual({ events: [], revision: -1, position: null });
    expect(await store.readStream('counter-b')).toEqual([]);
  });

  it('decides on the folded state and lets domain errors through', async () => {
    const handler = new CommandHandler(new MemoryEventStore());
    await handler.handle(counter, 'counter-c', { type: 'Increment', by: 3 }, actor);
    await expect(
      handler.handle(counter, 'counter-c', { type: 'Increment', by: 3, max: 5 }, actor),
    ).rejects.toThrow(DomainError);
  });

  it('retries after a conflict with a concurrent writer', async () => {
    const inner = new MemoryEventStore();
    let interfered = false;
    // A store whose first append loses a race against another writer.
    const racing: EventStore = Object.assign(Object.create(inner) as EventStore, {
      appendToStream: async (...args: Parameters<EventStore['appendToStream']>) => {
        if (!interfered) {
          interfered = true;
          await inner.appendToStream('counter-d', [
            {
              id: deterministicId('other'),
              type: 'Incremented',
              data: { by: 10 },
              metadata: { actor: 'x', correlationId: 'y', occurredAt: '' },
            },
          ]);
        }
        return inner.appendToStream(...args);
      },
    });
    const result = await new CommandHandler(racing).handle(
      counter,
      'counter-d',
      { type: 'Increment', by: 1 },
      actor,
    );
    expect(result.revision).toBe(1);
    const events = await inner.readStream('counter-d');
    expect(events.map((e) => e.data)).toEqual([{ by: 10 }, { by: 1 }]);
  });

  it("turns a conflict with the user's form revision into a StaleRevisionError", async () => {
    const handler = new CommandHandler(new MemoryEventStore());
    await handler.handle(counter, 'counter-e', { type: 'Increment', by: 1 }, actor);
    await handler.handle(counter, 'counter-e', { type: 'Increment', by: 1 }, actor);
    await expect(
      handler.handle(
        counter,
        'counter-e',
        { type: 'Increment', by: 1 },
        { ...actor, expectedRevision: 0 },
      ),
    ).rejects.toBeInstanceOf(StaleRevisionError);
  });

  it('gives deterministic ids under an idempotency key, so a retried command is not appended twice', async () => {
    const store = new MemoryEventStore();
    const handler = new CommandHandler(store);
    const meta = { ...actor, idempotencyKey: 'webhook-42' };
    const first = await handler.handle(counter, 'counter-f', { type: 'Increment', by: 1 }, meta);
    const [event] = await store.readStream('counter-f');
    expect(event?.id).toBe(deterministicId('webhook-42', 'counter-f', '0'));
    expect(first.events).toHaveLength(1);
  });

  it('splits a large outcome into appends of at most maxEventsPerAppend events', async () => {
    const store = new MemoryEventStore();
    const appends: number[] = [];
    const counting: EventStore = Object.assign(Object.create(store) as EventStore, {
      appendToStream: (...args: Parameters<EventStore['appendToStream']>) => {
        appends.push(args[1].length);
        return store.appendToStream(...args);
      },
    });
    const handler = new CommandHandler(counting);
    const commands = Array.from({ length: 7 }, () => ({ type: 'Increment' as const, by: 1 }));
    const result = await handler.handleMany(counter, 'counter-g', commands, {
      ...actor,
      maxEventsPerAppend: 3,
    });
    expect(appends).toEqual([3, 3, 1]);
    expect(result.revision).toBe(6);
    expect((await store.readStream('counter-g')).map((e) => e.revision)).toEqual([
      0, 1, 2, 3, 4, 5, 6,
    ]);
  });

  it('makes RFC-4122-shaped ids', () => {
    expect(deterministicId('a', 'b')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(deterministicId('a', 'b')).toBe(deterministicId('a', 'b'));
    expect(deterministicId('a', 'b')).not.toBe(deterministicId('a', 'c'));
  });
});
