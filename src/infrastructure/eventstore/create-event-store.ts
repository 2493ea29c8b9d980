import type { EventStore } from '../../application/ports/event-store.js';
import type { Logger } from '../logging/logger.js';

/** Chooses the event store adapter by URL: `esdb://`, `mysql://` (MariaDB) or `memory://`. */
export async function createEventStore(url: string, logger?: Logger): Promise<EventStore> {
  const scheme = new URL(url).protocol.replace(/:$/, '');
  switch (scheme) {
    case 'memory': {
      const { MemoryEventStore } = await import('./memory/memory-event-store.js');
      return new MemoryEventStore();
    }
    case 'mysql':
    case 'mariadb': {
      const { MariaDbEventStore } = await import('./mariadb/mariadb-event-store.js');
      return MariaDbEventStore.create(url, { logger });
    }
    case 'esdb':
    case 'esdb+discover': {
      const { EsdbEventStore } = await import('./esdb/esdb-event-store.js');
      return new EsdbEventStore(url, logger ? { logger } : {});
    }
    default:
      throw new Error(
        `EVENTSTORE_URL: unsupported scheme "${scheme}://" (use esdb://, mysql:// or memory://)`,
      );
  }
}
