import { QueryTypes, type Sequelize } from 'sequelize';

export interface AlbumRow {
  album_id: number;
  title: string;
  items: number;
  ours: number;
  /** the Evotor store whose group the album mirrors; null for an album made in VK */
  store_name: string | null;
}

/**
 * An EvoSync album mirrors an Evotor group (the mirror's group key is the group's id): the
 * group's store tells apart albums of two stores with groups of the same name.
 */
const ALBUM_STORE = `(SELECT s.name FROM vk_mirror_albums m
    JOIN cached_groups g ON g.user_id = m.user_id AND g.group_id = m.group_key
    JOIN cached_stores s ON s.user_id = g.user_id AND s.store_id = g.store_id
   WHERE m.user_id = a.user_id AND m.album_id = a.album_id LIMIT 1)`;

/** The community's albums as last fetched, with item counts; `ours` when EvoSync created it. */
export async function listAlbums(sequelize: Sequelize, userId: string): Promise<AlbumRow[]> {
  return sequelize.query<AlbumRow>(
    `SELECT a.album_id, a.title,
            (SELECT COUNT(*) FROM vk_cached_products p
              WHERE p.user_id = a.user_id AND p.gone = 0
                AND JSON_CONTAINS(p.album_ids, CAST(a.album_id AS CHAR))) AS items,
            EXISTS (SELECT 1 FROM vk_mirror_albums m
                     WHERE m.user_id = a.user_id AND m.album_id = a.album_id) AS ours,
            ${ALBUM_STORE} AS store_name
       FROM vk_cached_albums a
      WHERE a.user_id = ? AND a.gone = 0
      ORDER BY a.title, store_name, a.album_id`,
    { replacements: [userId], type: QueryTypes.SELECT },
  );
}

export async function findAlbum(
  sequelize: Sequelize,
  userId: string,
  albumId: number,
): Promise<{ album_id: number; title: string; ours: number; store_name: string | null } | null> {
  const [row] = await sequelize.query<{
    album_id: number;
    title: string;
    ours: number;
    store_name: string | null;
  }>(
    `SELECT a.album_id, a.title,
            EXISTS (SELECT 1 FROM vk_mirror_albums m
                     WHERE m.user_id = a.user_id AND m.album_id = a.album_id) AS ours,
            ${ALBUM_STORE} AS store_name
       FROM vk_cached_albums a WHERE a.user_id = ? AND a.album_id = ? AND a.gone = 0`,
    { replacements: [userId, albumId], type: QueryTypes.SELECT },
  );
  return row ?? null;
}

export interface VkItemRow {
  item_id: number;
  title: string;
  price_kopecks: number;
  availability: number;
  sku: string;
  deleted: number;
  /** the Evotor product when the item is one EvoSync pushed */
  product_id: string | null;
  store_id: string | null;
  /** the Evotor product's article (for ours; VK's sku is then only its Evotor id) */
  article: string | null;
  pushed_name: string | null;
  pushed_price_kopecks: number | null;
}

/**
 * Items of one album (or, with `albumId` null, of no album), a page at a time. An item is ours
 * when the mirror recorded its id; it drifted when VK now shows another title or price than
 * the one EvoSync last pushed (someone edited it in VK; the next push puts ours back).
 */
export async function listItems(
  sequelize: Sequelize,
  userId: string,
  albumId: number | null,
  limit: number,
  offset: number,
): Promise<{ rows: VkItemRow[]; total: number }> {
  const where =
    albumId === null
      ? 'p.user_id = ? AND p.gone = 0 AND JSON_LENGTH(p.album_ids) = 0'
      : 'p.user_id = ? AND p.gone = 0 AND JSON_CONTAINS(p.album_ids, ?)';
  const params = albumId === null ? [userId] : [userId, String(albumId)];
  const [count] = await sequelize.query<{ n: number }>(
    `SELECT COUNT(*) AS n FROM vk_cached_products p WHERE ${where}`,
    { replacements: params, type: QueryTypes.SELECT },
  );
  const rows = await sequelize.query<VkItemRow>(
    `SELECT p.item_id, p.title, p.price_kopecks, p.availability, p.sku, p.deleted,
            m.product_id, m.name AS pushed_name, m.price_kopecks AS pushed_price_kopecks,
            c.store_id, NULLIF(c.article_number, '') AS article
       FROM vk_cached_products p
       LEFT JOIN vk_mirror_items m ON m.user_id = p.user_id AND m.item_id = p.item_id
       LEFT JOIN cached_products c ON c.user_id = m.user_id AND c.product_id = m.product_id
      WHERE ${where}
      ORDER BY p.title, p.item_id
      LIMIT ? OFFSET ?`,
    { replacements: [...params, limit, offset], type: QueryTypes.SELECT },
  );
  return { rows, total: Number(count?.n ?? 0) };
}

/** Title or price in VK differ from what EvoSync pushed last (unknown content: no verdict). */
export function drifted(row: VkItemRow): boolean {
  if (row.product_id === null || row.pushed_name === null) return false;
  return (
    row.title !== row.pushed_name || Number(row.price_kopecks) !== Number(row.pushed_price_kopecks)
  );
}
