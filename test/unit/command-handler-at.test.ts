import { describe, expect, it } from 'vitest';
import { CommandHandler } from '../../src/application/commands/command-handler.js';
import { WrongExpectedVersionError } from '../../src/application/ports/event-store.js';
import type { Decider } from '../../src/domain/shared/decider.js';
import { MemoryEventStore } from '../../src/infrastructure/eventstore/memory/memory-event-store.js';

type Event = { type: 'Incremented'; data: { by: number } };
type Command = { type: 'Increment'; by: number };
const counter: Decider<Command, Event, number> = {
  initialState: () => 0,
  evolve: (n, e) => n + e.data.by,
  decide: (c) => (c.by === 0 ? [] : [{ type: 'Incremented', data: { by: c.by } }]),
};
const meta = { actor: 'system' };

describe('handleManyAt: commands on a state the caller holds', () => {
  it('decides on the given state and returns the next state and revision without reading', async () => {
    const store = new MemoryEventStore();
    const handler = new CommandHandler(store);
    const first = await handler.handleManyAt(
      counter,
      'c-1',
      { state: 0, revision: -1 },
      [
        { type: 'Increment', by: 2 },
        { type: 'Increment', by: 3 },
      ],
      meta,
    );
    expect(first).toMatchObject({ state: 5, revision: 1 });
    const second = await handler.handleManyAt(
      counter,
      'c-1',
      first,
      [{ type: 'Increment', by: 1 }],
      meta,
    );
    expect(second).toMatchObject({ state: 6, revision: 2 });
    expect((await store.readStream('c-1')).map((e) => e.data)).toEqual([
      { by: 2 },
      { by: 3 },
      { by: 1 },
    ]);
  });

  it('appends nothing and keeps the revision when nothing is decided', async () => {
    const handler = new CommandHandler(new MemoryEventStore());
    const result = await handler.handleManyAt(
      counter,
      'c-2',
      { state: 4, revision: 7 },
      [{ type: 'Increment', by: 0 }],
      meta,
    );
    expect(result).toEqual({ events: [], revision: 7, position: null, state: 4 });
  });

  it('fails without retrying when someone else wrote since the given revision', async () => {
    const store = new MemoryEventStore();
    const handler = new CommandHandler(store);
    const seen = await handler.handleManyAt(
      counter,
      'c-3',
      { state: 0, revision: -1 },
      [{ type: 'Increment', by: 1 }],
      meta,
    );
    await handler.handle(counter, 'c-3', { type: 'Increment', by: 10 }, meta);
    await expect(
      handler.handleManyAt(counter, 'c-3', seen, [{ type: 'Increment', by: 1 }], meta),
    ).rejects.toBeInstanceOf(WrongExpectedVersionError);
    expect(await store.readStream('c-3')).toHaveLength(2);
  });

  it('splits a large outcome into appends that each expect the previous one', async () => {
    const store = new MemoryEventStore();
    const result = await new CommandHandler(store).handleManyAt(
      counter,
      'c-4',
      { state: 0, revision: -1 },
      Array.from({ length: 5 }, () => ({ type: 'Increment' as const, by: 1 })),
      { ...meta, maxEventsPerAppend: 2 },
    );
    expect(result.revision).toBe(4);
    expect(await store.readStream('c-4')).toHaveLength(5);
  });
});
