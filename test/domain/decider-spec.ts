import { expect } from 'vitest';
import { CommandHandler } from '../../src/application/commands/command-handler.js';
import type { EventMetadata } from '../../src/application/ports/event-store.js';
import { MemoryEventStore } from '../../src/infrastructure/eventstore/memory/memory-event-store.js';
import {
  DomainError,
  fold,
  type DecideContext,
  type Decider,
  type DomainEvent,
} from '../../src/domain/shared/decider.js';

export const NOW = new Date('2025-03-01T10:00:00.000Z');

export function fixedContext(now = NOW): DecideContext {
  let n = 0;
  return { now, newId: () => `id-${++n}` };
}

/**
 * Given events / when command / then events (or a refusal), straight on the decider: the
 * specification form of a domain test.
 */
export function deciderSpec<C, E extends DomainEvent, S>(decider: Decider<C, E, S>) {
  return (given: E[]) => ({
    when: (command: C, ctx: DecideContext = fixedContext()) => {
      const run = () => decider.decide(command, fold(decider, given), ctx);
      return {
        then: (expected: E[]) => expect(run()).toEqual(expected),
        thenRefused: (code: string) => {
          let error: unknown;
          try {
            run();
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(DomainError);
          expect((error as DomainError).code).toBe(code);
        },
      };
    },
  });
}

const systemMeta: EventMetadata = {
  actor: 'system',
  correlationId: 'given',
  occurredAt: NOW.toISOString(),
};

/**
 * The same specification through the real generic handler on the in-memory store: the given
 * events are appended to the stream, the command is handled, and the whole stream is returned.
 */
export async function throughHandler<C, E extends DomainEvent, S>(
  decider: Decider<C, E, S>,
  streamId: string,
  given: E[],
  command: C,
): Promise<{ appended: E[]; stream: E[] }> {
  const store = new MemoryEventStore();
  if (given.length > 0) {
    await store.appendToStream(
      streamId,
      given.map((e, i) => ({ id: `given-${i}`, type: e.type, data: e.data, metadata: systemMeta })),
    );
  }
  let n = 0;
  const handler = new CommandHandler(store, { clock: () => NOW, newId: () => `uuid-${++n}` });
  const result = await handler.handle(decider, streamId, command, { actor: 'system' });
  const stream = (await store.readStream(streamId)).map((e) => ({ type: e.type, data: e.data }));
  return { appended: result.events, stream: stream as E[] };
}
