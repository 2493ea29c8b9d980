import type { EventFilter, RecordedEvent } from '../../application/ports/event-store.js';
import type { Projection } from '../../application/projections/projection.js';

/**
 * Prefixes are the filter every adapter serves cheaply (EventStoreDB server-side, MariaDB by
 * the type index); a prefix may also match longer type names, so the exact set is checked too.
 */
export function subscriptionFilter(projection: Projection): EventFilter | undefined {
  // `*` subscribes to every (non-system) event: the audit log records them all.
  if (projection.eventTypes.includes('*')) return undefined;
  return { on: 'eventType', prefixes: projection.eventTypes };
}

export function handledBy(projection: Projection): (event: RecordedEvent) => boolean {
  const types = new Set(projection.eventTypes);
  if (types.has('*')) return () => true;
  return (event) => types.has(event.type);
}
