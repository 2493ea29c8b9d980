/** Keys whose values never leave the process: tokens, passwords, secrets, signatures. */
const SECRET_KEY =
  /(token|password|secret|authorization|client_secret|code|sig|captcha_key|api[-_]?key)/i;

export const EXCERPT_LIMIT = 2000;

/** Replaces secret values in a JSON-like value; returns a new value. */
export function redactValue(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[…]';
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [
        k,
        SECRET_KEY.test(k) && v !== null && v !== undefined && typeof v !== 'object'
          ? '[redacted]'
          : redactValue(v, depth + 1),
      ]),
    );
  }
  return value;
}

/** Redacts `key=value` pairs of a query string or form body. */
export function redactQuery(query: string): string {
  const params = new URLSearchParams(query);
  for (const key of [...params.keys()]) if (SECRET_KEY.test(key)) params.set(key, '[redacted]');
  return params.toString();
}

/** A URL without secrets in its query string. */
export function redactUrl(url: string): string {
  const [base, query] = url.split('?', 2);
  return query ? `${base}?${decodeURIComponent(redactQuery(query))}` : url;
}

/** A short, redacted text excerpt of a request or response body. */
export function excerpt(body: unknown, limit = EXCERPT_LIMIT): string | null {
  if (body === undefined || body === null || body === '') return null;
  let text: string;
  if (typeof body === 'string') {
    try {
      text = JSON.stringify(redactValue(JSON.parse(body)));
    } catch {
      text =
        body.includes('=') && !body.includes(' ') ? decodeURIComponent(redactQuery(body)) : body;
    }
  } else if (body instanceof URLSearchParams) {
    text = decodeURIComponent(redactQuery(body.toString()));
  } else if (Buffer.isBuffer(body)) {
    text = `[${body.length} bytes]`;
  } else {
    text = JSON.stringify(redactValue(body));
  }
  return text.length > limit ? `${text.slice(0, limit)}…` : text;
}
