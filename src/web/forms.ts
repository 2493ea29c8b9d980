import type { Request, Response } from 'express';
import type { z } from 'zod';
import { DomainError } from '../domain/shared/decider.js';
import { StaleRevisionError } from '../application/commands/command-handler.js';
import { AccountError } from '../application/accounts/errors.js';

export type FieldErrors = Record<string, string>;

export type Parsed<T> =
  { ok: true; data: T } | { ok: false; errors: FieldErrors; values: Record<string, unknown> };

/** Validates a form body with zod; errors are keyed by field so each shows next to its input. */
export function parseForm<S extends z.ZodType>(schema: S, body: unknown): Parsed<z.infer<S>> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return { ok: true, data: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const key = String(issue.path[0] ?? '_form');
    errors[key] ??= issue.message;
  }
  return { ok: false, errors, values: (body ?? {}) as Record<string, unknown> };
}

/** Renders a form page again with the submitted values and the errors (status 422 by default). */
export function renderForm(
  res: Response,
  view: string,
  locals: { values?: Record<string, unknown>; errors?: FieldErrors; [key: string]: unknown },
  status = 422,
): void {
  res.status(status).render(view, { values: {}, errors: {}, ...locals });
}

/** A refusal from the domain or a use case, as a field error (or a form-level one). */
export function refusalToErrors(error: unknown): FieldErrors | null {
  if (error instanceof AccountError || error instanceof DomainError)
    return { [error.field ?? '_form']: error.message };
  if (error instanceof StaleRevisionError) return { _form: error.message };
  return null;
}

export type FlashKind = 'success' | 'error' | 'info';

/** One-shot messages shown on the next page (kept in the session). */
export function flash(req: Request, kind: FlashKind, message: string): void {
  const session = req.session as unknown as { flash?: Array<{ kind: FlashKind; message: string }> };
  session.flash = [...(session.flash ?? []), { kind, message }];
}

function takeFlash(req: Request): Array<{ kind: FlashKind; message: string }> {
  const session = req.session as unknown as { flash?: Array<{ kind: FlashKind; message: string }> };
  const messages = session?.flash ?? [];
  if (session?.flash) delete session.flash;
  return messages;
}

/**
 * `res.locals.flash` for the views: the messages are taken from the session when a page renders
 * them, not by whatever request passes first. The browser's favicon request or a page's JSON
 * poll, arriving between a form's redirect and its page, took the message away (seen under
 * load: a suspension shown without its «заблокирован»).
 */
export function exposeFlash(req: Request, res: Response): void {
  let messages: ReturnType<typeof takeFlash> | undefined;
  Object.defineProperty(res.locals, 'flash', {
    enumerable: true,
    configurable: true,
    get: () => (messages ??= takeFlash(req)),
  });
}

/** `?page=` as a positive integer, and the offset for a page size. */
export function pageOf(req: Request, size: number): { page: number; offset: number; size: number } {
  const page = Math.max(
    1,
    Math.min(100_000, Number.parseInt(String(req.query.page ?? '1'), 10) || 1),
  );
  return { page, offset: (page - 1) * size, size };
}

export const queryString = (req: Request, name: string): string => {
  const v = req.query[name];
  return typeof v === 'string' ? v.trim().slice(0, 200) : '';
};
