import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';

export interface RateLimitSettings {
  windowMs: number;
  login: number;
  register: number;
  passwordReset: number;
}

export const DEFAULT_RATE_LIMITS: RateLimitSettings = {
  windowMs: 15 * 60_000,
  login: 10,
  register: 5,
  passwordReset: 5,
};

/** Per-IP limits, counted in this process (several web processes each count their own). */
export function limiter(windowMs: number, limit: number): RequestHandler {
  return rateLimit({
    windowMs,
    limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    // Only the form posts count: looking at the page is free.
    skip: (req) => req.method !== 'POST',
    handler: (_req, res) => {
      res.status(429).render('error', {
        title: 'Слишком много попыток',
        status: 429,
        message: 'Слишком много попыток. Подождите несколько минут и попробуйте снова.',
      });
    },
  });
}
