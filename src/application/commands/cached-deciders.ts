import { storeCatalogDecider } from '../../domain/catalog/decide.js';
import { storesDecider } from '../../domain/catalog/stores-decide.js';
import { mirrorDecider } from '../../domain/mirror/decide.js';
import { syncConfigDecider } from '../../domain/sync-config/decide.js';
import { vkMarketDecider } from '../../domain/vk-market/decide.js';
import { registerCachedDecider } from './state-cache.js';

/**
 * The deciders whose folded states a process keeps in memory (state-cache.ts): the streams a
 * push reads, and the catalog every Evotor notification is decided on. Each one's `evolve`
 * changes only its state's top-level Maps in place (test/unit/state-cache.test.ts).
 */
for (const decider of [
  storeCatalogDecider,
  storesDecider,
  mirrorDecider,
  vkMarketDecider,
  syncConfigDecider,
])
  registerCachedDecider(decider);
