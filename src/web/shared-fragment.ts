import { createHash } from 'node:crypto';
import type { Application, Response } from 'express';
import { deflatePart, gzipAround, type DeflatedPart } from './gzip-parts.js';

/**
 * A part of a page rendered once and sent to many requests: kept as UTF-8 bytes with their
 * hash, so a request copies it instead of encoding and hashing tens of kilobytes again.
 */
export interface SharedFragment {
  bytes: Buffer;
  hash: string;
  /** compressed on the first request that accepts gzip */
  deflated?: DeflatedPart;
  /** the layouts rendered around it, by what they show of their requests (layoutKey) */
  layouts?: Map<string, Layout>;
}

/** A page's own part around a fragment, as bytes, with the ETag of the whole. */
interface Layout {
  before: Buffer;
  after: Buffer;
  tag: string;
}

/** a fragment belongs to one user and URL: this is their sessions, not everyone's */
const MAX_LAYOUTS = 20;

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
 * `<%- slot %>`) and sends the page. The layout is kept with the fragment for the next request
 * that would render the same (see layoutKey). A client that accepts gzip (every browser) gets
 * the fragment as compressed once, between the head and tail as stored blocks: a seventh of
 * the bytes at the cost of a copy. The ETag is taken from the parts' hashes, so a conditional
 * request still gets its 304 without hashing the whole page.
 */
export function renderWithFragment(
  res: Response,
  view: string,
  locals: Record<string, unknown>,
  slot: string,
  fragment: SharedFragment,
): void {
  const key = layoutKey(res, view, locals);
  const kept = key === null ? undefined : fragment.layouts?.get(key);
  if (kept) return send(res, fragment, kept);
  res.render(view, { ...locals, [slot]: SLOT }, (error: Error | null, html?: string) => {
    if (error) return res.req.next?.(error);
    const page = html ?? '';
    const at = page.indexOf(SLOT);
    if (at < 0) return res.req.next?.(new Error(`${view} does not write its ${slot}`));
    const before = Buffer.from(page.slice(0, at));
    const after = Buffer.from(page.slice(at + SLOT.length));
    const length = before.length + fragment.bytes.length + after.length;
    const tag = `${length.toString(16)}-${sha1(`${sha1(before)}${fragment.hash}${sha1(after)}`)}`;
    const layout = { before, after, tag };
    if (key !== null) {
      fragment.layouts ??= new Map();
      if (fragment.layouts.size >= MAX_LAYOUTS) fragment.layouts.clear();
      fragment.layouts.set(key, layout);
    }
    send(res, fragment, layout);
  });
}

/**
 * What a layout (the page head with its menu and sign-out form, the page's own form, the foot)
 * can show of its request: the view, its locals and everything the request put in
 * `res.locals` (user, CSRF token, path …; functions such as `can` follow from the user). A page
 * with a flash message or form errors is shown once: null, rendered in full and not kept.
 */
function layoutKey(res: Response, view: string, locals: Record<string, unknown>): string | null {
  const l = res.locals as { flash?: unknown[]; errors?: unknown };
  if ((l.flash?.length ?? 0) > 0 || l.errors !== undefined) return null;
  return JSON.stringify([view, locals, res.locals]);
}

function send(res: Response, fragment: SharedFragment, { before, after, tag }: Layout): void {
  res.type('html');
  res.vary('Accept-Encoding');
  if (res.req.acceptsEncodings('gzip') === 'gzip') {
    fragment.deflated ??= deflatePart(fragment.bytes);
    res.set({ 'Content-Encoding': 'gzip', ETag: `W/"${tag}-gz"` });
    res.send(gzipAround(before, fragment.deflated, after));
  } else {
    res.set('ETag', `W/"${tag}"`);
    res.send(Buffer.concat([before, fragment.bytes, after]));
  }
}

function sha1(data: Buffer | string): string {
  return createHash('sha1').update(data).digest('base64url');
}
