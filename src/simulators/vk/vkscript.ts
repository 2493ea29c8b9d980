import { vkError } from './errors.js';

/** One `API.method({...})` call of an execute script. */
export interface ScriptCall {
  method: string;
  params: Record<string, unknown>;
}

/**
 * Parses the only VKScript forms the product sends: `return [API.a.b({...}), …];` and
 * `return API.a.b({...});`. Object literals may have bare or quoted keys; values are strings,
 * numbers, booleans, arrays and nested objects. Anything else fails like VK: error 12.
 */
export function parseScript(code: string): { calls: ScriptCall[]; list: boolean } {
  let pos = 0;
  const fail = (what: string): never => {
    throw vkError(12, `${what} at position ${pos}`);
  };
  const ws = () => {
    while (pos < code.length && /\s/.test(code[pos] ?? '')) pos += 1;
  };
  const eat = (token: string) => {
    ws();
    if (!code.startsWith(token, pos)) fail(`expected '${token}'`);
    pos += token.length;
  };
  const peek = () => {
    ws();
    return code[pos];
  };
  const ident = (): string => {
    ws();
    const m = /^[A-Za-z_$][\w$]*/.exec(code.slice(pos));
    if (!m) return fail('expected an identifier');
    pos += m[0].length;
    return m[0];
  };
  const string = (): string => {
    const quote = code[pos];
    pos += 1;
    let out = '';
    while (pos < code.length && code[pos] !== quote) {
      const ch = code[pos] ?? '';
      if (ch === '\\') {
        const next = code[pos + 1] ?? '';
        const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' };
        if (next === 'u') {
          const hex = code.slice(pos + 2, pos + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('bad \\u escape');
          out += String.fromCharCode(parseInt(hex, 16));
          pos += 6;
          continue;
        }
        out += simple[next] ?? next;
        pos += 2;
        continue;
      }
      out += ch;
      pos += 1;
    }
    if (pos >= code.length) fail('unterminated string');
    pos += 1;
    return out;
  };
  const value = (): unknown => {
    const ch = peek();
    if (ch === '"' || ch === "'") return string();
    if (ch === '{') return object();
    if (ch === '[') {
      pos += 1;
      const items: unknown[] = [];
      if (peek() === ']') {
        pos += 1;
        return items;
      }
      for (;;) {
        items.push(value());
        if (peek() === ',') pos += 1;
        else break;
      }
      eat(']');
      return items;
    }
    const num = /^-?\d+(\.\d+)?([eE][-+]?\d+)?/.exec(code.slice(pos));
    if (num) {
      pos += num[0].length;
      return Number(num[0]);
    }
    const word = ident();
    if (word === 'true') return true;
    if (word === 'false') return false;
    return fail(`unsupported expression '${word}'`);
  };
  const object = (): Record<string, unknown> => {
    eat('{');
    const out: Record<string, unknown> = {};
    if (peek() === '}') {
      pos += 1;
      return out;
    }
    for (;;) {
      const ch = peek();
      const key = ch === '"' || ch === "'" ? string() : ident();
      eat(':');
      out[key] = value();
      if (peek() === ',') pos += 1;
      else break;
    }
    eat('}');
    return out;
  };
  const call = (): ScriptCall => {
    if (ident() !== 'API') fail('expected API');
    const parts: string[] = [];
    while (peek() === '.') {
      pos += 1;
      parts.push(ident());
    }
    eat('(');
    const params = peek() === ')' ? {} : object();
    eat(')');
    return { method: parts.join('.'), params };
  };

  if (ident() !== 'return') fail('expected return');
  let calls: ScriptCall[];
  let list = false;
  if (peek() === '[') {
    list = true;
    pos += 1;
    calls = [];
    if (peek() !== ']') {
      for (;;) {
        calls.push(call());
        if (peek() === ',') pos += 1;
        else break;
      }
    }
    eat(']');
  } else {
    calls = [call()];
  }
  if (peek() === ';') pos += 1;
  if (peek() !== undefined) fail('unexpected text after return');
  return { calls, list };
}

/** VK passes inner-call parameters as strings, arrays comma-separated, as over HTTP. */
export function toRawParams(params: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(params)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) out[key] = v.map(String).join(',');
    else if (typeof v === 'boolean') out[key] = v ? '1' : '0';
    else if (typeof v === 'object') out[key] = JSON.stringify(v);
    else out[key] = String(v);
  }
  return out;
}
