/** A VK API error as the simulator answers it; `extra` carries e.g. redirect_uri (captcha). */
export class SimError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** The messages VK prefixes to its error texts (errors.json descriptions). */
export const ERROR_TEXT: Record<number, string> = {
  1: 'Unknown error occurred',
  3: 'Unknown method passed',
  5: 'User authorization failed',
  6: 'Too many requests per second',
  8: 'Invalid request',
  9: 'Flood control',
  10: 'Internal server error',
  12: 'Unable to compile code',
  13: 'Runtime error occurred during code invocation',
  14: 'Captcha needed',
  15: 'Access denied',
  27: 'Group authorization failed',
  100: 'One of the parameters specified was missing or invalid',
  113: 'Invalid user id',
  1400: 'Too late for restore',
  1402: 'Album not found',
  1403: 'Item not found',
  1404: 'Item already added to album',
  1405: 'Too many items',
  1406: 'Too many items in album',
  1407: 'Too many albums',
  1438: 'Market not enabled',
  1518: 'Item is not deleted',
};

export function vkError(code: number, detail?: string, extra?: Record<string, unknown>): SimError {
  const base = ERROR_TEXT[code] ?? `Error ${code}`;
  return new SimError(code, detail ? `${base}: ${detail}` : base, extra);
}

export const paramError = (detail: string) => vkError(100, detail);
