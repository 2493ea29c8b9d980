import type { Projection } from '../src/application/projections/projection.js';
import { cachedGroups } from './cached-groups/index.js';
import { cachedProducts } from './cached-products/index.js';
import { cachedStores } from './cached-stores/index.js';

/** Every projection the worker runs and `evosync replay` can rebuild. Add yours here. */
export const projections: Projection[] = [cachedStores, cachedGroups, cachedProducts];

export function findProjection(name: string): Projection | undefined {
  return projections.find((p) => p.name === name);
}
