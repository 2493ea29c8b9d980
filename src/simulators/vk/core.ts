import type { CallContext, Handler, SimSettings } from './context.js';
import { SimError, vkError } from './errors.js';
import { albumMethods } from './market-albums.js';
import { itemMethods } from './market-items.js';
import { socialMethods } from './social.js';
import { emptyState, type SimState, type SimToken } from './state.js';
import { Traffic, type CallLogEntry } from './traffic.js';
import { validateParams, type RawParams } from './validate.js';
import { parseScript, toRawParams } from './vkscript.js';

const METHODS: Record<string, Handler> = { ...itemMethods, ...albumMethods, ...socialMethods };
export const MAX_EXECUTE_CALLS = 25;

export type VkAnswer =
  { response: unknown; execute_errors?: ExecuteError[] } | { error: Record<string, unknown> };

interface ExecuteError {
  method: string;
  error_code: number;
  error_msg: string;
}

/** The simulated API behind the HTTP layer: auth, rate, faults, validation, methods, execute. */
export class VkCore {
  state: SimState = emptyState();
  readonly traffic = new Traffic();
  settings: SimSettings = {
    restoreWindowMs: null,
    maxItemsPerCommunity: 15_000,
    maxAlbumsPerCommunity: 100,
    minPhotoSide: 400,
    vkIdAccessTokenSeconds: 3600,
  };
  origin = '';
  now: () => number = () => Date.now();

  handle(method: string, params: RawParams, token: string | undefined): VkAnswer {
    const entry: CallLogEntry = { at: this.now(), method, errorCode: null };
    try {
      const answer = this.run(method, params, token, entry);
      return answer;
    } catch (e) {
      const error = e instanceof SimError ? e : vkError(10);
      entry.errorCode = error.code;
      return { error: this.envelope(error, method, params) };
    } finally {
      this.traffic.record(entry);
    }
  }

  private run(
    method: string,
    params: RawParams,
    tokenValue: string | undefined,
    entry: CallLogEntry,
  ): { response: unknown; execute_errors?: ExecuteError[] } {
    if (!params.v) throw vkError(8, 'v (version) is required');
    if (!tokenValue) throw vkError(5, 'no access_token passed.');
    const token = this.state.tokens.get(tokenValue);
    if (!token) throw vkError(5, 'invalid access_token (4).');
    if (token.expiresAt !== undefined && token.expiresAt <= this.now()) {
      throw vkError(5, 'access_token has expired.');
    }
    // Real time, not the settable clock: rate windows must pass even when a test freezes dates.
    this.traffic.checkRate(token.token, token.kind, Date.now());
    const fault = this.traffic.faultFor(method, true);
    if (fault) throw fault;
    const ctx = this.context(token);
    if (method === 'execute') return this.execute(ctx, params.code ?? '', entry);
    return { response: this.invoke(ctx, method, params) };
  }

  private invoke(ctx: CallContext, method: string, params: RawParams): unknown {
    const handler = METHODS[method];
    if (!handler) throw vkError(3);
    validateParams(method, params);
    return handler(ctx, params);
  }

  private execute(ctx: CallContext, code: string, entry: CallLogEntry) {
    if (!code.trim()) throw vkError(100, 'code is undefined');
    const { calls, list } = parseScript(code);
    if (calls.length > MAX_EXECUTE_CALLS) throw vkError(13, 'too many API calls');
    const errors: ExecuteError[] = [];
    entry.inner = [];
    const results = calls.map(({ method, params }) => {
      const inner = { method, errorCode: null as number | null };
      entry.inner?.push(inner);
      const fault = this.traffic.faultFor(method, false);
      // A captcha stops the whole request (error 14 is global in VK's errors.json, and the
      // request is what is repeated after solving it): VK's error object with its redirect_uri
      // at the top level, never an execute_errors entry, which has no room for it.
      if (fault?.code === 14) {
        inner.errorCode = 14;
        throw fault;
      }
      try {
        if (method === 'execute') throw vkError(3);
        if (fault) throw fault;
        return this.invoke(ctx, method, toRawParams(params));
      } catch (e) {
        const error = e instanceof SimError ? e : vkError(10);
        inner.errorCode = error.code;
        errors.push({ method, error_code: error.code, error_msg: error.message });
        return false;
      }
    });
    return {
      response: list ? results : results[0],
      ...(errors.length > 0 ? { execute_errors: errors } : {}),
    };
  }

  private context(token: SimToken): CallContext {
    return {
      state: this.state,
      token,
      settings: this.settings,
      origin: this.origin,
      now: () => this.now(),
    };
  }

  /** VK's error object; the token is never echoed back. */
  private envelope(error: SimError, method: string, params: RawParams) {
    const request_params = [
      { key: 'method', value: method },
      { key: 'oauth', value: '1' },
      ...Object.entries(params)
        .filter(([key]) => key !== 'access_token')
        .map(([key, value]) => ({ key, value })),
    ];
    return {
      error_code: error.code,
      error_msg: error.message,
      request_params,
      ...error.extra,
    };
  }
}
