import type { Request, RequestHandler, Response } from 'express';
import type { DashboardDeps } from '../dashboard/deps.js';
import { storeContext, userIdOf } from './context.js';
import { formatRoublesPlain } from '../shared/format.js';
import { allProducts } from './product-queries.js';
import {
  productFilters,
  productQuery,
  productViews,
  statusText,
  type ProductView,
} from './products.js';

const HEADER = [
  'ID',
  'Название',
  'Артикул',
  'Штрихкоды',
  'Группа',
  'Цена, ₽',
  'Остаток',
  'Ед. изм.',
  'Продаётся',
  'Правило',
  'В синхронизации',
  'Статус VK',
  'Ссылка VK',
];

/**
 * Spreadsheet programs run a cell that starts with = + - @ (or a tab or CR before them) as a
 * formula: such text gets a leading apostrophe (OWASP's advice for CSV injection), which Excel
 * shows as plain text. Every cell goes through it, ids and barcodes too: they come from Evotor
 * as the owner typed them. A plain number (a negative stock, a price) is no formula and stays
 * a number.
 */
const PLAIN_NUMBER = /^-?\d+(,\d+)?$/;
export const defuse = (value: string) =>
  /^[=+\-@\t\r]/.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;

/**
 * Every field defused and quoted (separators, quotes and line breaks inside stay one cell),
 * CRLF rows.
 */
export const csvLine = (fields: readonly string[]) =>
  `${fields.map((f) => `"${defuse(f).replace(/"/g, '""')}"`).join(';')}\r\n`;

const csvRow = (p: ProductView) =>
  csvLine([
    p.id,
    p.name,
    p.article,
    p.barcodes.join(', '),
    p.groupName,
    formatRoublesPlain(p.priceKopecks),
    p.quantity,
    p.measure,
    p.allowToSell ? 'да' : 'нет',
    p.ruleLabel,
    p.inScope ? 'да' : 'нет',
    statusText(p),
    p.vkLink ?? '',
  ]);

/** `filename` for old clients (ASCII only), `filename*` (RFC 5987) with the store's real name. */
export function attachmentHeader(storeName: string, storeId: string): string {
  const ascii = storeName.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || storeId;
  const safeAscii = ascii.replace(/[^A-Za-z0-9._-]/g, '').slice(0, 80);
  const utf8 = encodeURIComponent(`products-${storeName}.csv`).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="products-${safeAscii}.csv"; filename*=UTF-8''${utf8}`;
}

const write = (res: Response, chunk: string) =>
  res.write(chunk) ? Promise.resolve() : new Promise<void>((resolve) => res.once('drain', resolve));

/** The products of the page's filters, all of them, streamed for Russian Excel. */
export function catalogCsvRoute(deps: DashboardDeps): RequestHandler {
  return async (req: Request, res: Response) => {
    const ctx = await storeContext(deps.sequelize, req, res);
    if (!ctx) return;
    const userId = userIdOf(req);
    const query = productQuery(userId, ctx, productFilters(req));
    res.status(200);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', attachmentHeader(ctx.store.name, ctx.store.store_id));
    res.setHeader('Cache-Control', 'no-store');
    // The BOM tells Excel the file is UTF-8; `;` is its list separator in the Russian locale.
    await write(res, `\uFEFF${csvLine(HEADER)}`);
    for await (const batch of allProducts(deps.sequelize, query)) {
      await write(res, productViews(batch, ctx, ctx.vkGroupId).map(csvRow).join(''));
    }
    res.end();
  };
}
