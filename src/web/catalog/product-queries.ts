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
  /** the last failure of a VK call for the product ("market.edit 5: …"); null once settled */
  vk_error: string | null;
  /** when the mirror last recorded something for the product */
  vk_synced_at: Date | string | null;
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

/** The migration-0060 index of each sort order: (user_id, store_id, removed, column). */
const LIVE_INDEX: Record<SortKey, string> = {
  name: 'cached_products_live_name',
  price: 'cached_products_live_price',
  article: 'cached_products_live_article',
};

/**
 * MariaDB picks the older (user_id, store_id, name) index, which must look up every skipped
 * row for its tombstone flag (a deep page: 10 ms instead of 1.5 ms at 10,000 products). With
 * no group or search condition the live index is the right one and it is named outright.
 */
const hint = (q: ProductQuery) =>
  q.groupIds === null && q.q === '' ? `FORCE INDEX (${LIVE_INDEX[q.sort]})` : '';

const orderBy = (q: ProductQuery, alias = '') =>
  `${alias}${SORTS[q.sort]} ${q.dir.toUpperCase()}, ${alias}product_id ${q.dir.toUpperCase()}`;

export async function countProducts(sequelize: Sequelize, q: ProductQuery): Promise<number> {
  const w = where(q);
  const rows = await sequelize.query<{ n: number }>(
    `SELECT COUNT(*) AS n FROM cached_products ${hint(q)} WHERE ${w.sql}`,
    { replacements: w.values, type: QueryTypes.SELECT },
  );
  return Number(rows[0]?.n ?? 0);
}

const ROW_COLUMNS = `p.product_id, p.group_id, p.name, p.price_kopecks, p.quantity_milli,
  p.measure_name, p.article_number, p.barcodes, p.allow_to_sell,
  m.state AS vk_state, m.item_id AS vk_item_id, m.last_error AS vk_error,
  m.updated_at AS vk_synced_at`;

/**
 * The rows (with their VK mirror state) of the ids a derived table picks, in the page's order:
 * the walk to the page and the rows come in one round trip.
 */
function rowsOfPage(q: ProductQuery, pageSql: string): string {
  return `SELECT ${ROW_COLUMNS}, page.total
    FROM (${pageSql}) page
    JOIN cached_products p
      ON p.user_id = ? AND p.store_id = ? AND p.product_id = page.product_id
    LEFT JOIN vk_mirror_items m ON m.user_id = p.user_id AND m.product_id = p.product_id
    ORDER BY ${orderBy(q, 'p.')}`;
}

/** One page of products with their VK mirror state (the ids walked on the sort's index). */
export async function productPage(
  sequelize: Sequelize,
  q: ProductQuery,
  limit: number,
  offset: number,
): Promise<ProductRow[]> {
  const w = where(q);
  return sequelize.query<ProductRow>(
    rowsOfPage(
      q,
      `SELECT product_id, NULL AS total FROM cached_products ${hint(q)} WHERE ${w.sql}
       ORDER BY ${orderBy(q)} LIMIT ? OFFSET ?`,
    ),
    { replacements: [...w.values, limit, offset, q.userId, q.storeId], type: QueryTypes.SELECT },
  );
}

/**
 * One page of products with the count of all matches. A search reads every row of the store
 * to test it, and so would its count: here both come from that one scan, the count as a window
 * over the matches (a third of the database time of a count and a page query). Without a
 * search the count and the page walk the sort's index apart, which costs less than a window's
 * sort.
 */
export async function pageWithTotal(
  sequelize: Sequelize,
  q: ProductQuery,
  limit: number,
  offset: number,
): Promise<{ total: number; rows: ProductRow[] }> {
  if (q.q === '') {
    const [total, rows] = await Promise.all([
      countProducts(sequelize, q),
      productPage(sequelize, q, limit, offset),
    ]);
    return { total, rows };
  }
  const w = where(q);
  const rows = await sequelize.query<ProductRow & { total: number | string }>(
    rowsOfPage(
      q,
      `SELECT product_id, COUNT(*) OVER () AS total FROM cached_products WHERE ${w.sql}
       ORDER BY ${orderBy(q)} LIMIT ? OFFSET ?`,
    ),
    { replacements: [...w.values, limit, offset, q.userId, q.storeId], type: QueryTypes.SELECT },
  );
  // A page past the last match has no row to carry the count.
  const total = rows[0] ? Number(rows[0].total) : await countProducts(sequelize, q);
  return { total, rows };
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
