import { storeCatalogDecider } from '../../domain/catalog/decide.js';
import { storeCatalogSnapshot } from '../../domain/catalog/snapshot.js';
import { mirrorDecider } from '../../domain/mirror/decide.js';
import { mirrorSnapshot } from '../../domain/mirror/snapshot.js';
import type { Decider, DomainEvent } from '../../domain/shared/decider.js';
import type { SnapshotCodec } from '../../domain/shared/snapshot.js';
import { vkMarketDecider } from '../../domain/vk-market/decide.js';
import { vkMarketSnapshot } from '../../domain/vk-market/snapshot.js';

type Folding<State> = Pick<Decider<never, DomainEvent, State>, 'initialState' | 'evolve'>;

const codecs = new Map<object, SnapshotCodec<unknown>>();

/** Snapshots `decider`'s streams with `codec` (the list below; tests add their own deciders). */
export function registerSnapshotCodec<State>(
  decider: Folding<State>,
  codec: SnapshotCodec<State>,
): void {
  codecs.set(decider, codec as SnapshotCodec<unknown>);
}

/**
 * The streams whose state is snapshotted: those that grow with the shop's age (every stock and
 * price change, every push, every VK fetch that saw a change). Streams of accounts, stores and
 * settings stay a few dozen events long and are simply folded. One line per decider here, and
 * its codec next to its state in the domain.
 */
registerSnapshotCodec(storeCatalogDecider, storeCatalogSnapshot);
registerSnapshotCodec(vkMarketDecider, vkMarketSnapshot);
registerSnapshotCodec(mirrorDecider, mirrorSnapshot);

export function snapshotCodecOf<State>(decider: Folding<State>): SnapshotCodec<State> | undefined {
  return codecs.get(decider) as SnapshotCodec<State> | undefined;
}
