import { recordSnapshotCodec } from '../shared/snapshot.js';
import { initialMirrorState } from './state.js';

/**
 * `vk-mirror-{userId}`: what was pushed to VK. Bump the version with every change to
 * MirrorState or to what `evolveMirror` makes of an event (see shared/snapshot.ts).
 */
export const mirrorSnapshot = recordSnapshotCodec({
  schemaVersion: 4,
  initialState: initialMirrorState,
});
