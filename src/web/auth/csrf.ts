import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

type CsrfSession = { csrfToken?: string };

/**
 * Synchronizer token: one random token per session, put into every form as `_csrf` (views get
 * it as `csrfToken`) and compared in constant time on every unsafe request. Passport's session
 * regeneration at login drops it, so a token from before the login is useless afterwards.
 */
export function csrfProtection(
  options: { exempt?: (path: string) => boolean } = {},
): RequestHandler {
  return (req, res, next) => {
    const session = req.session as unknown as CsrfSession | undefined;
    if (!session) return next(new Error('csrfProtection needs express-session before it'));
    // Lazily created, so pages without forms do not start a session for anonymous visitors;
    // defined before the check, as the refusal page's menu has a sign-out form too.
    Object.defineProperty(res.locals, 'csrfToken', {
      enumerable: true,
      configurable: true,
      get() {
        session.csrfToken ??= randomBytes(32).toString('base64url');
        return session.csrfToken;
      },
    });
    if (UNSAFE.has(req.method) && !options.exempt?.(req.path)) {
      const sent =
        (req.body as Record<string, unknown> | undefined)?._csrf ?? req.get('x-csrf-token');
      const expected = session.csrfToken;
      const ok =
        typeof sent === 'string' &&
        typeof expected === 'string' &&
        sent.length === expected.length &&
        timingSafeEqual(Buffer.from(sent), Buffer.from(expected));
      if (!ok) {
        res.status(403).render('error', {
          title: 'Форма устарела',
          status: 403,
          message: 'Форма устарела или отправлена не с этого сайта. Обновите страницу и повторите.',
        });
        return;
      }
    }
    next();
  };
}
