/** Keys whose values never leave the process: tokens, passwords, secrets, signatures. */
const SECRET_KEY =
  /(token|password|secret|authorization|client_secret|code|sig|captcha_key|api[-_]?key)/i;

export const EXCERPT_LIMIT = 2000;

/** Replaces secret values in a JSON-like value; returns a new value. */
export function redactValue(value: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH) return '[…]';
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [
        k,
        isSecretEntry(k, v) ? '[redacted]' : redactValue(v, depth + 1),
      ]),
    );
  }
  return value;
}

const MAX_DEPTH = 8;
const isSecretEntry = (key: string, value: unknown) =>
  SECRET_KEY.test(key) && value !== null && value !== undefined && typeof value !== 'object';

/**
 * `JSON.stringify(redactValue(value))` of a value JSON.parse returned, written only until it
 * is longer than `limit`: an excerpt keeps 2,000 characters of responses that run to hundreds
 * of kilobytes (a page of Evotor products, a VK execute of 25 items), and copying and
 * serialising all of it cost more than the call it logs. The text is the same up to there.
 */
export function redactedJson(value: unknown, limit: number): string {
  let out = '';
  const write = (v: unknown, depth: number): void => {
    if (depth > MAX_DEPTH) out += '"[…]"';
    else if (Array.isArray(v)) {
      out += '[';
      for (let i = 0; i < v.length && out.length <= limit; i++) {
        if (i > 0) out += ',';
        write(v[i], depth + 1);
      }
      out += ']';
    } else if (v && typeof v === 'object') {
      out += '{';
      let first = true;
      for (const key in v) {
        if (out.length > limit) break;
        if (!Object.hasOwn(v, key)) continue;
        const item = (v as Record<string, unknown>)[key];
        out += `${first ? '' : ','}${JSON.stringify(key)}:`;
        first = false;
        if (isSecretEntry(key, item)) out += '"[redacted]"';
        else write(item, depth + 1);
      }
      out += '}';
    } else out += JSON.stringify(v);
  };
  write(value, 0);
  return out;
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
      text = redactedJson(JSON.parse(body) as unknown, limit);
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
