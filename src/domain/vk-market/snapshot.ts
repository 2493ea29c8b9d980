import { recordSnapshotCodec } from '../shared/snapshot.js';
import { initialVkMarketState } from './state.js';

/** `vk-market-{userId}`: what the VK fetches observed. */
export const vkMarketSnapshot = recordSnapshotCodec({
  schemaVersion: 1,
  initialState: initialVkMarketState,
});
