import { createHash } from 'node:crypto';
import type { Application, Response } from 'express';

/**
 * A part of a page rendered once and sent to many requests: kept as UTF-8 bytes with their
 * hash, so a request copies it instead of encoding and hashing tens of kilobytes again.
 */
export interface SharedFragment {
  bytes: Buffer;
  hash: string;
}

/**
 * Renders a view to a fragment with the app's locals and the given ones only: nothing of the
 * request's `res.locals` (user, CSRF token, flash) gets in, so it can be shared. A template that
 * reaches for them fails instead of leaking them.
 */
export function renderFragment(
  app: Application,
  view: string,
  locals: Record<string, unknown>,
): Promise<SharedFragment> {
  return new Promise((resolve, reject) => {
    app.render(view, locals, (error: Error | null, html?: string) => {
      if (error) return reject(error);
      const bytes = Buffer.from(html ?? '');
      resolve({ bytes, hash: sha1(bytes) });
    });
  });
}

const SLOT = '\u0000shared-fragment\u0000';

/**
 * Renders `view` for this request with the fragment in its `slot` local (written unescaped,
 * `<%- slot %>`) and sends the page. The ETag is taken from the parts' hashes, so a conditional
 * request still gets its 304 without hashing the whole page.
 */
export function renderWithFragment(
  res: Response,
  view: string,
  locals: Record<string, unknown>,
  slot: string,
  fragment: SharedFragment,
): void {
  res.render(view, { ...locals, [slot]: SLOT }, (error: Error | null, html?: string) => {
    if (error) return res.req.next?.(error);
    const page = html ?? '';
    const at = page.indexOf(SLOT);
    if (at < 0) return res.req.next?.(new Error(`${view} does not write its ${slot}`));
    const before = Buffer.from(page.slice(0, at));
    const after = Buffer.from(page.slice(at + SLOT.length));
    const length = before.length + fragment.bytes.length + after.length;
    res.type('html');
    res.set(
      'ETag',
      `W/"${length.toString(16)}-${sha1(`${sha1(before)}${fragment.hash}${sha1(after)}`)}"`,
    );
    res.send(Buffer.concat([before, fragment.bytes, after], length));
  });
}

function sha1(data: Buffer | string): string {
  return createHash('sha1').update(data).digest('base64url');
}
