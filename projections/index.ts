import type { Projection } from '../src/application/projections/projection.js';
import { cachedGroups } from './cached-groups/index.js';
import { cachedProducts } from './cached-products/index.js';
import { cachedStores } from './cached-stores/index.js';
import { rolesProjection } from './roles/index.js';
import { auditLogProjection } from './audit-log/index.js';
import { connections } from './connections/index.js';
import { syncConfigs } from './sync-configs/index.js';
import { vkCatalog } from './vk-catalog/index.js';
import { vkMirror } from './vk-mirror/index.js';
import { syncProgress } from './sync-progress/index.js';
import { syncLag } from './sync-lag/index.js';

/** Every projection the worker runs and `evosync replay` can rebuild. Add yours here. */
export const projections: Projection[] = [
  cachedStores,
  cachedGroups,
  cachedProducts,
  rolesProjection,
  auditLogProjection,
  connections,
  syncConfigs,
  vkCatalog,
  vkMirror,
  syncProgress,
  syncLag,
];
// The users projection decrypts personal data, so it needs the cipher and is built by
// `usersProjection(cipher)` (projections/users) where the composition root has one.

export function findProjection(name: string): Projection | undefined {
  return projections.find((p) => p.name === name);
}
