import { QueryTypes, type Sequelize } from 'sequelize';

export const SORTS = { name: 'name', price: 'price_kopecks', article: 'article_number' } as const;
export type SortKey = keyof typeof SORTS;
export type SortDir = 'asc' | 'desc';

export interface ProductQuery {
  userId: string;
  storeId: string;
  /** a group with its subgroups; null: every product */
  groupIds: string[] | null;
  /** part of the name or article, or the start of a barcode */
  q: string;
  sort: SortKey;
  dir: SortDir;
}

export interface ProductRow {
  product_id: string;
  group_id: string | null;
  name: string;
  price_kopecks: number | string;
  quantity_milli: number | string;
  measure_name: string;
  article_number: string;
  barcodes: string;
  allow_to_sell: number;
  vk_state: string | null;
  vk_item_id: number | string | null;
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The conditions on `cached_products` (no alias: used inside the id-only subquery). */
function where(q: ProductQuery): { sql: string; values: unknown[] } {
  const parts = ['user_id = ?', 'store_id = ?', 'removed = 0'];
  const values: unknown[] = [q.userId, q.storeId];
  if (q.groupIds !== null) {
    parts.push(`group_id IN (${q.groupIds.map(() => '?').join(',')})`);
    values.push(...q.groupIds);
  }
  if (q.q !== '') {
    const like = `%${likeEscape(q.q)}%`;
    parts.push(`(name LIKE ? OR article_number LIKE ? OR product_id IN (
      SELECT b.product_id FROM cached_product_barcodes b
      WHERE b.user_id = ? AND b.store_id = ? AND b.barcode LIKE ?))`);
    values.push(like, like, q.userId, q.storeId, `${likeEscape(q.q)}%`);
  }
  return { sql: parts.join(' AND '), values };
}

const orderBy = (q: ProductQuery, alias = '') =>
  `${alias}${SORTS[q.sort]} ${q.dir.toUpperCase()}, ${alias}product_id ${q.dir.toUpperCase()}`;

export async function countProducts(sequelize: Sequelize, q: ProductQuery): Promise<number> {
  const w = where(q);
  const rows = await sequelize.query<{ n: number }>(
    `SELECT COUNT(*) AS n FROM cached_products WHERE ${w.sql}`,
    { replacements: w.values, type: QueryTypes.SELECT },
  );
  return Number(rows[0]?.n ?? 0);
}

/**
 * One page of products with their VK mirror state. The offset is walked on ids only (a
 * covering index of the sort, see migration 0060), then just the page's rows are read in
 * full: a deep page costs index entries, not whole rows.
 */
export async function productPage(
  sequelize: Sequelize,
  q: ProductQuery,
  limit: number,
  offset: number,
): Promise<ProductRow[]> {
  const w = where(q);
  return sequelize.query<ProductRow>(
    `SELECT p.product_id, p.group_id, p.name, p.price_kopecks, p.quantity_milli, p.measure_name,
            p.article_number, p.barcodes, p.allow_to_sell, m.state AS vk_state, m.item_id AS vk_item_id
     FROM (SELECT product_id FROM cached_products WHERE ${w.sql}
           ORDER BY ${orderBy(q)} LIMIT ? OFFSET ?) ids
     JOIN cached_products p ON p.user_id = ? AND p.store_id = ? AND p.product_id = ids.product_id
     LEFT JOIN vk_mirror_items m ON m.user_id = p.user_id AND m.product_id = p.product_id
     ORDER BY ${orderBy(q, 'p.')}`,
    {
      replacements: [...w.values, limit, offset, q.userId, q.storeId],
      type: QueryTypes.SELECT,
    },
  );
}

/** Every matching product, a batch at a time (the CSV export streams them). */
export async function* allProducts(
  sequelize: Sequelize,
  q: ProductQuery,
  batch = 2000,
): AsyncGenerator<ProductRow[]> {
  for (let offset = 0; ; offset += batch) {
    const rows = await productPage(sequelize, q, batch, offset);
    if (rows.length > 0) yield rows;
    if (rows.length < batch) return;
  }
}
