/** How the product should react to a VK error; the code stays available for details. */
export type VkErrorKind =
  'auth' | 'transient' | 'captcha' | 'access' | 'invalid_param' | 'not_found' | 'market' | 'other';

/** Codes worth a retry after a pause: too many requests, flood control, internal error. */
export const TRANSIENT_CODES: readonly number[] = [6, 9, 10];

export function errorKind(code: number): VkErrorKind {
  if (code === 5 || code === 27 || code === 28) return 'auth';
  if (TRANSIENT_CODES.includes(code)) return 'transient';
  if (code === 14) return 'captcha';
  if (code === 15 || code === 203 || code === 205 || code === 1438) return 'access';
  if (code === 100 || code === 113) return 'invalid_param';
  if (code === 1402 || code === 1403) return 'not_found';
  if (code >= 1400 && code < 1600) return 'market';
  return 'other';
}

/** An error answer of the VK API (top level or one call inside an execute). */
export class VkApiError extends Error {
  readonly kind: VkErrorKind;

  constructor(
    readonly code: number,
    message: string,
    readonly method: string,
  ) {
    super(`VK ${method}: ${message} (${code})`);
    this.name = 'VkApiError';
    this.kind = errorKind(code);
  }

  get transient(): boolean {
    return this.kind === 'transient';
  }
}

/**
 * Error 14: a person has to solve the captcha; never retried automatically. VK sends a
 * `redirect_uri` today: the captcha page to open (VK ID Captcha). `captcha_sid`/`captcha_img`,
 * the old text captcha, are deprecated and sometimes absent ('' then).
 */
export class VkCaptchaError extends VkApiError {
  constructor(
    message: string,
    method: string,
    readonly captchaSid: string,
    readonly captchaImg: string,
    readonly redirectUri: string | null = null,
  ) {
    super(14, message, method);
    this.name = 'VkCaptchaError';
  }
}

/** No usable VK answer: network failure, timeout, non-JSON or unexpected HTTP status. */
export class VkTransportError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
    this.name = 'VkTransportError';
  }
}

/** The photo upload server refused the file (it answers `{"error": "..."}`). */
export class VkUploadError extends Error {
  constructor(message: string) {
    super(`VK photo upload: ${message}`);
    this.name = 'VkUploadError';
  }
}

/** oauth.vk.com refused the code exchange. */
export class VkOAuthError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
  ) {
    super(`VK OAuth: ${error}: ${description}`);
    this.name = 'VkOAuthError';
  }
}

interface ErrorBody {
  error_code?: unknown;
  error_msg?: unknown;
  captcha_sid?: unknown;
  captcha_img?: unknown;
  redirect_uri?: unknown;
}

/** Only a web address is worth showing as a link; anything else VK might send is dropped. */
export function webAddress(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return null;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}

export function toVkError(body: ErrorBody, method: string): VkApiError {
  const code = typeof body.error_code === 'number' ? body.error_code : 1;
  const message = typeof body.error_msg === 'string' ? body.error_msg : 'Unknown error';
  if (code === 14) {
    return new VkCaptchaError(
      message,
      method,
      String(body.captcha_sid ?? ''),
      webAddress(body.captcha_img) ?? '',
      webAddress(body.redirect_uri),
    );
  }
  return new VkApiError(code, message, method);
}
