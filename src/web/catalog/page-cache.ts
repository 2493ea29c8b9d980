import type { Sequelize } from 'sequelize';
import { readCheckpoint } from '../../infrastructure/projections/checkpoints.js';
import { countProducts, pageIds, type ProductQuery } from './product-queries.js';

interface Entry {
  at: string;
  total: number;
  pages: Map<string, string[]>;
}

/**
 * The products' count and each page's ids, kept while `cached_products` is unchanged: its
 * projection's checkpoint moves in the same transaction as any change of its rows, so an
 * unchanged checkpoint means unchanged answers. Counting and walking the offset were most of
 * a deep page's database time. Without a checkpoint (projected inline, no runner) nothing is
 * kept. VK states and rules are not cached: they are read with the page's rows every time.
 */
export class ProductPageCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly sequelize: Sequelize,
    private readonly maxEntries = 500,
  ) {}

  async page(
    q: ProductQuery,
    limit: number,
    offset: number,
  ): Promise<{ total: number; ids: string[] }> {
    const checkpoint = await readCheckpoint(this.sequelize, 'cached-products');
    const at = checkpoint
      ? `${checkpoint.version}:${checkpoint.status}:${checkpoint.position.commit}:${checkpoint.position.prepare}`
      : null;
    const key = JSON.stringify([q.userId, q.storeId, q.groupIds, q.q]);
    const pageKey = `${q.sort}:${q.dir}:${limit}:${offset}`;
    let entry = at === null ? undefined : this.entries.get(key);
    if (!entry || entry.at !== at) {
      entry = { at: at ?? '', total: await countProducts(this.sequelize, q), pages: new Map() };
      if (at !== null) this.remember(key, entry);
    }
    let ids = entry.pages.get(pageKey);
    if (!ids) {
      ids = await pageIds(this.sequelize, q, limit, offset);
      if (at !== null && entry.pages.size < 1000) entry.pages.set(pageKey, ids);
    }
    return { total: entry.total, ids };
  }

  private remember(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value!);
    }
  }
}
