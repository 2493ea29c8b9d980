import type { Request } from 'express';

/**
 * The URL of the last page when the request asks for a page past it (an old link, a hand-typed
 * number), else null: the list then opens where its rows are instead of on an empty table.
 */
export function pageBeyondLast(req: Request, page: number, pages: number): string | null {
  if (page <= pages) return null;
  const url = new URL(req.originalUrl, 'http://x');
  if (pages > 1) url.searchParams.set('page', String(pages));
  else url.searchParams.delete('page');
  return `${url.pathname}${url.search}`;
}

/**
 * The page numbers a pager shows: the first, the last and two either side of the current
 * one, with null where numbers are left out ("1 … 4 5 6 7 8 … 80").
 */
export function pageNumbers(page: number, pages: number, around = 2): Array<number | null> {
  const shown = new Set([1, pages]);
  for (let n = page - around; n <= page + around; n++) if (n >= 1 && n <= pages) shown.add(n);
  const sorted = [...shown].sort((a, b) => a - b);
  const out: Array<number | null> = [];
  sorted.forEach((n, i) => {
    const previous = sorted[i - 1];
    if (previous !== undefined && n - previous > 1) out.push(n - previous === 2 ? n - 1 : null);
    out.push(n);
  });
  return out;
}
