import { VkApiError, toVkError } from './errors.js';
import { describeCalls, flattenParams, type VkCall, type VkParams } from './params.js';
import { sleep } from '../shared/sleep.js';
import type { VkClient } from './vk-client.js';

export const MAX_EXECUTE_CALLS = 25;

export type VkCallResult<T = unknown> = { ok: true; value: T } | { ok: false; error: VkApiError };

/** JSON string literals are valid VKScript; the two line separators JSON leaves raw are not. */
const literal = (value: string | number) =>
  typeof value === 'number'
    ? String(value)
    : JSON.stringify(value)
        .replace(/\u2028/g, '\\u2028')
        .replace(/\u2029/g, '\\u2029');

/** `return [API.market.add({"owner_id":-1,…}), …];` */
export function executeCode(calls: readonly VkCall[]): string {
  const parts = calls.map(({ method, params }) => {
    if (!/^[a-z]+\.[A-Za-z]+$/.test(method)) throw new Error(`not a VK method name: ${method}`);
    const fields = Object.entries(flattenParams(params)).map(
      ([k, v]) => `${literal(k)}:${literal(v)}`,
    );
    return `API.${method}({${fields.join(',')}})`;
  });
  return `return [${parts.join(',')}];`;
}

/**
 * Pairs an execute answer with its calls: the `false` entries failed, and `execute_errors`
 * lists their errors in the same order.
 */
export function mapExecuteAnswer(
  calls: readonly VkCall[],
  response: unknown,
  errors: ReadonlyArray<{ method?: string; error_code?: number; error_msg?: string }> = [],
): VkCallResult[] {
  const values = Array.isArray(response) ? response : [];
  let nextError = 0;
  return calls.map((call, i): VkCallResult => {
    const value: unknown = values[i];
    if (i < values.length && value !== false) return { ok: true, value };
    const body = errors[nextError++];
    const error = body
      ? toVkError(body, body.method ?? call.method)
      : new VkApiError(13, 'no result and no error for this call', call.method);
    return { ok: false, error };
  });
}

/** Sends up to 25 calls per execute; transient failures (6/9/10) of single calls are re-sent. */
export async function executeBatch(
  client: VkClient,
  calls: readonly VkCall[],
): Promise<VkCallResult[]> {
  const chunks: VkCall[][] = [];
  for (let i = 0; i < calls.length; i += MAX_EXECUTE_CALLS) {
    chunks.push(calls.slice(i, i + MAX_EXECUTE_CALLS));
  }
  const results = await Promise.all(chunks.map((chunk) => runChunk(client, chunk)));
  return results.flat();
}

async function runChunk(client: VkClient, calls: VkCall[]): Promise<VkCallResult[]> {
  let results = await sendChunk(client, calls);
  for (let attempt = 0; attempt < client.retry.retries; attempt++) {
    const again = results.flatMap((r, i) => (!r.ok && r.error.transient ? [i] : []));
    if (again.length === 0) break;
    await sleep(client.backoff(attempt));
    const retried = await sendChunk(
      client,
      again.map((i) => calls[i] as VkCall),
    );
    results = results.slice();
    again.forEach((index, k) => {
      results[index] = retried[k] as VkCallResult;
    });
  }
  return results;
}

async function sendChunk(client: VkClient, calls: VkCall[]): Promise<VkCallResult[]> {
  try {
    const envelope = await client.request(
      'execute',
      { code: executeCode(calls) },
      describeCalls(calls),
    );
    return mapExecuteAnswer(calls, envelope.response, envelope.execute_errors);
  } catch (e) {
    if (!(e instanceof VkApiError)) throw e;
    // A refused execute (auth, captcha, …) is every call's answer.
    return calls.map(() => ({ ok: false as const, error: e }));
  }
}

interface Pending {
  call: VkCall;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * Collects single calls made at about the same time and sends them as one execute, so
 * concurrent callers share VK's few requests per second.
 */
export class ExecuteBatcher {
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly client: VkClient,
    private readonly options: { windowMs?: number; maxCalls?: number } = {},
  ) {}

  call<T = unknown>(method: string, params: VkParams = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({
        call: { method, params },
        resolve: resolve as (v: unknown) => void,
        reject,
      });
      if (this.pending.length >= (this.options.maxCalls ?? MAX_EXECUTE_CALLS)) this.dispatch();
      else this.timer ??= setTimeout(() => this.dispatch(), this.options.windowMs ?? 10);
    });
  }

  /** Sends whatever is waiting and resolves when every sent batch is answered. */
  async flush(): Promise<void> {
    this.dispatch();
    await Promise.all([...this.inFlight]);
  }

  private dispatch(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const max = this.options.maxCalls ?? MAX_EXECUTE_CALLS;
    while (this.pending.length > 0) {
      const group = this.pending.splice(0, max);
      const job = this.send(group).finally(() => this.inFlight.delete(job));
      this.inFlight.add(job);
    }
  }

  private async send(group: Pending[]): Promise<void> {
    try {
      const results = await executeBatch(
        this.client,
        group.map((p) => p.call),
      );
      results.forEach((r, i) => {
        const p = group[i] as Pending;
        if (r.ok) p.resolve(r.value);
        else p.reject(r.error);
      });
    } catch (e) {
      for (const p of group) p.reject(e);
    }
  }
}
