import { recordSnapshotCodec } from '../shared/snapshot.js';
import { initialStoreCatalogState } from './state.js';

/** `evotor-store-{userId}-{storeId}`: the stream that grows with every stock and price change. */
export const storeCatalogSnapshot = recordSnapshotCodec({
  schemaVersion: 2,
  initialState: initialStoreCatalogState,
});
