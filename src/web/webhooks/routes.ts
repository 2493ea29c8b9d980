import { createHash, timingSafeEqual } from 'node:crypto';
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { z } from 'zod';
import {
  EVOTOR_ERRORS,
  WebhookError,
  type EvotorWebhooks,
} from '../../application/connections/index.js';
import { EVOTOR_WEBHOOK_PATHS } from '../../infrastructure/evotor/webhooks.js';
import type { Logger } from '../../infrastructure/logging/logger.js';
import {
  installationSchema,
  subscriptionSchema,
  userCreateSchema,
  userTokenSchema,
  userVerifySchema,
} from './schemas.js';

export interface WebhookRoutesDeps {
  webhooks: EvotorWebhooks;
  /** EVOTOR_WEBHOOK_SECRET; without it every delivery is refused */
  secret: string | undefined;
  logger: Logger;
  /** per IP per minute; generous, Evotor's cloud sends from a few addresses */
  limitPerMinute?: number;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

export function sendErrors(res: Response, error: WebhookError): void {
  const entry: Record<string, unknown> = { code: error.code };
  if (error.reason) entry.reason = error.reason;
  if (error.subject) entry.subject = error.subject;
  res.status(error.status).json({ errors: [entry] });
}

/** Evotor's envelope for a client over its allowance (per IP per minute). */
export function perMinute(limit: number): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, res) => {
      res.status(429).json({ errors: [{ code: 429, reason: 'too many requests' }] });
    },
  });
}

/** A body too large or unreadable fails inside express.text: still Evotor's envelope. */
export function unreadableBody(
  error: unknown,
  _req: Request,
  res: Response,
  next: (e?: unknown) => void,
): void {
  if (res.headersSent) return next(error);
  const status =
    typeof error === 'object' && error && 'status' in error && typeof error.status === 'number'
      ? error.status
      : 400;
  res.status(status).json({ errors: [{ code: EVOTOR_ERRORS.syntax, reason: 'unreadable body' }] });
}

/** Bearer secret, compared in constant time on hashes (equal lengths whatever was sent). */
function bearerAuth(secret: string | undefined): RequestHandler {
  const expected = secret ? digest(secret) : null;
  return (req, res, next) => {
    const match = /^Bearer\s+(.+)$/i.exec(req.get('authorization') ?? '');
    const ok =
      expected !== null && match !== null && timingSafeEqual(digest(match[1]!.trim()), expected);
    if (ok) return next();
    sendErrors(res, new WebhookError(401, EVOTOR_ERRORS.badCloudToken, 'unauthorized'));
  };
}

/** The body is parsed here, so a syntax error gets Evotor's envelope instead of an HTML page. */
export function jsonBody(req: Request): unknown {
  const text = typeof req.body === 'string' ? req.body : '';
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new WebhookError(400, EVOTOR_ERRORS.syntax, 'malformed JSON');
  }
}

/** zod issues → 2002 (a field missing or not expected) or 2003 (a value of the wrong kind). */
export function validate<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new WebhookError(400, EVOTOR_ERRORS.syntax, 'a JSON object is expected');
  return validateJson(schema, body);
}

/** Like `validate`, for any JSON value (the data notifications send arrays). */
export function validateJson<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  if (issue.code === 'unrecognized_keys')
    throw new WebhookError(400, EVOTOR_ERRORS.missingField, 'unexpected field', issue.keys[0]);
  let value: unknown = body;
  for (const key of issue.path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
  const subject = issue.path.join('.');
  if (value === undefined)
    throw new WebhookError(400, EVOTOR_ERRORS.missingField, 'missing field', subject);
  throw new WebhookError(400, EVOTOR_ERRORS.badValue, issue.message, subject);
}

/** Evotor's webhooks: `/user/*` fixed by Evotor, the event paths configured in its portal. */
export function webhookRoutes(deps: WebhookRoutesDeps): Router {
  const router = Router();
  if (!deps.secret)
    deps.logger.warn('EVOTOR_WEBHOOK_SECRET is not set: Evotor webhooks answer 401');
  const guard: RequestHandler[] = [
    perMinute(deps.limitPerMinute ?? 600),
    bearerAuth(deps.secret),
    express.text({ type: () => true, limit: '64kb' }),
  ];

  const route = (path: string, handle: (body: unknown) => Promise<unknown>) => {
    router.post(path, ...guard, async (req, res) => {
      try {
        const answer = await handle(jsonBody(req));
        if (answer === undefined) res.status(200).end();
        else res.status(200).json(answer);
      } catch (error) {
        if (error instanceof WebhookError) return sendErrors(res, error);
        // No body, no token in the log: only where it failed.
        deps.logger.error({ err: error, path }, 'Evotor webhook failed');
        res.status(500).json({ errors: [{ code: 500, reason: 'internal error' }] });
      }
    });
  };

  route(EVOTOR_WEBHOOK_PATHS.userCreate, (body) =>
    deps.webhooks.createUser(validate(userCreateSchema, body)),
  );
  route(EVOTOR_WEBHOOK_PATHS.userVerify, (body) =>
    deps.webhooks.verifyUser(validate(userVerifySchema, body)),
  );
  route(EVOTOR_WEBHOOK_PATHS.userToken, async (body) => {
    await deps.webhooks.receiveToken(validate(userTokenSchema, body));
  });
  route(EVOTOR_WEBHOOK_PATHS.subscriptionEvent, async (body) => {
    await deps.webhooks.subscriptionEvent(validate(subscriptionSchema, body));
  });
  route(EVOTOR_WEBHOOK_PATHS.installationEvent, async (body) => {
    await deps.webhooks.installationEvent(validate(installationSchema, body));
  });

  router.use(Object.values(EVOTOR_WEBHOOK_PATHS), unreadableBody);
  return router;
}
