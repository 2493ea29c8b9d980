import { MemoryEventStore } from '../../src/infrastructure/eventstore/memory/memory-event-store.js';
import { describeEventStoreContract } from './event-store.contract.js';

describeEventStoreContract('memory', async () => {
  const store = new MemoryEventStore();
  return { store, teardown: () => store.close() };
});
