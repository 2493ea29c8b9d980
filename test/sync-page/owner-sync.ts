import type { Container } from '../../src/main/container.js';
import { SyncHarness } from '../support/sync-harness.js';

/**
 * A dashboard user's shop wired to both simulators, synced step by step with the real fetch and
 * push functions on the app's own event store and cipher: the sync harness for an account.
 */
export type OwnerSync = SyncHarness;

export const OwnerSync = {
  start(
    c: Container,
    userId: string,
    seed: { stores?: number; groups?: number; products?: number; seed?: number } = {},
  ): Promise<SyncHarness> {
    return SyncHarness.start(
      c.eventStore,
      { stores: 1, groups: 2, products: 6, seed: 11, ...seed },
      { userId, cipher: c.cipher, pageSize: 50 },
    );
  },
};
