import { randomUUID } from 'node:crypto';
import type { EventMetadata, NewEvent } from '../../src/application/ports/event-store.js';

/** An event to append, with fresh ids and the time now (tests, contract suites and benches). */
export function newEvent(
  type = 'ContractTested',
  data: unknown = { n: 1 },
  metadata: Partial<EventMetadata> = {},
): NewEvent {
  return {
    id: randomUUID(),
    type,
    data,
    metadata: {
      actor: 'system',
      correlationId: randomUUID(),
      occurredAt: new Date().toISOString(),
      ...metadata,
    },
  };
}
