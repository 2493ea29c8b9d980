import axios, { type AxiosInstance } from 'axios';
import type { ApiRequestLog } from '../../application/ports/api-request-log.js';
import { nullApiRequestLog } from '../../application/ports/api-request-log.js';
import { excerpt } from '../api-log/redact.js';
import { jitteredBackoff } from '../shared/backoff.js';
import { sleep } from '../shared/sleep.js';
import { keepAliveAgents } from '../shared/keep-alive-agents.js';
import { VkApiError, VkTransportError, toVkError } from './errors.js';
import { executeBatch, type VkCallResult } from './execute.js';
import { formBody, type VkCall, type VkParams } from './params.js';
import {
  DEFAULT_SAFETY_MARGIN,
  VK_RATE_LIMITS,
  limiterForToken,
  type VkTokenKind,
} from './rate-limiter.js';

export interface RetryPolicy {
  /** further attempts after the first, for error 10 (and 6 and 9 beyond rateRetries) */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /**
   * further attempts for "too many requests" (6) and flood control (9), with pauses from a
   * second up: they say "later", not "failed", and the owner should never see them as failures
   */
  rateRetries: number;
}

export interface VkClientOptions {
  /** the token, or where to get it before each request (VK ID tokens are refreshed hourly) */
  token: string | (() => Promise<string>);
  apiUrl: string;
  version: string;
  tokenKind?: VkTokenKind;
  /** overrides VK's published limit for the token kind */
  requestsPerSecond?: number;
  safetyMargin?: number;
  retry?: Partial<RetryPolicy>;
  timeoutMs?: number;
  log?: ApiRequestLog;
  /** the EvoSync user the calls are made for, for the request log */
  userId?: string | null;
  http?: AxiosInstance;
}

/** The raw VK answer: `response` plus, for execute, the inner calls' errors. */
export interface VkEnvelope {
  response?: unknown;
  execute_errors?: Array<{ method?: string; error_code?: number; error_msg?: string }>;
  error?: Record<string, unknown>;
}

const DEFAULT_RETRY: RetryPolicy = {
  retries: 5,
  baseDelayMs: 400,
  maxDelayMs: 8_000,
  rateRetries: 4,
};
const RATE_LIMIT_CODES: readonly number[] = [6, 9];
const RATE_BASE_DELAY_MS = 1_000;

/** VK API calls with one token: rate-limited per token, retried on 6/9/10, logged without secrets. */
export class VkClient {
  readonly apiUrl: string;
  readonly version: string;
  readonly retry: RetryPolicy;
  private readonly http: AxiosInstance;
  private readonly log: ApiRequestLog;
  private readonly perSecond: number;

  constructor(private readonly options: VkClientOptions) {
    this.apiUrl = options.apiUrl.replace(/\/$/, '');
    this.version = options.version;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.http =
      options.http ?? axios.create({ timeout: options.timeoutMs ?? 30_000, ...keepAliveAgents });
    this.log = options.log ?? nullApiRequestLog;
    this.perSecond = options.requestsPerSecond ?? VK_RATE_LIMITS[options.tokenKind ?? 'user'];
  }

  /** One method call; resolves with `response` or rejects with a VkApiError. */
  async call<T = unknown>(method: string, params: VkParams = {}): Promise<T> {
    return (await this.request(method, params)).response as T;
  }

  /** Many calls in as few execute requests as possible (25 per request), answered in order. */
  batch(calls: readonly VkCall[]): Promise<VkCallResult[]> {
    return executeBatch(this, calls);
  }

  /** The whole envelope (execute needs `execute_errors`); retries transient errors. */
  async request(method: string, params: VkParams, label = method): Promise<VkEnvelope> {
    for (let attempt = 0; ; attempt++) {
      try {
        const token =
          typeof this.options.token === 'string' ? this.options.token : await this.options.token();
        // Looked up per request: the token's limiter (this process's, or the shared one in
        // Redis) is the same for every client of the token.
        const limiter = limiterForToken(
          token,
          this.perSecond,
          this.options.safetyMargin ?? DEFAULT_SAFETY_MARGIN,
        );
        return await limiter.schedule(() => this.send(method, params, label, token));
      } catch (e) {
        if (!(e instanceof VkApiError) || !e.transient) throw e;
        const rate = RATE_LIMIT_CODES.includes(e.code);
        if (
          attempt >=
          (rate ? Math.max(this.retry.rateRetries, this.retry.retries) : this.retry.retries)
        )
          throw e;
        await sleep(rate ? this.rateBackoff(attempt) : this.backoff(attempt));
      }
    }
  }

  /** A second or more, doubling: VK's windows are a second long. */
  rateBackoff(attempt: number): number {
    return (
      jitteredBackoff(attempt, { baseMs: RATE_BASE_DELAY_MS, maxMs: this.retry.maxDelayMs }) +
      RATE_BASE_DELAY_MS / 2
    );
  }

  backoff(attempt: number): number {
    return jitteredBackoff(attempt, {
      baseMs: this.retry.baseDelayMs,
      maxMs: this.retry.maxDelayMs,
    });
  }

  private async send(
    method: string,
    params: VkParams,
    label: string,
    token: string,
  ): Promise<VkEnvelope> {
    const url = `${this.apiUrl}/${method}`;
    const body = formBody({ ...params, v: this.version, access_token: token });
    const started = Date.now();
    let status: number | null = null;
    let text: string | null = null;
    let errorCode: string | null = null;
    try {
      const res = await this.http.post<string>(url, body.toString(), {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        responseType: 'text',
        transformResponse: (data: unknown) => data,
        validateStatus: () => true,
      });
      status = res.status;
      text = typeof res.data === 'string' ? res.data : String(res.data);
      if (status !== 200) throw new VkTransportError(`VK ${method}: HTTP ${status}`, status);
      let envelope: VkEnvelope;
      try {
        envelope = JSON.parse(text) as VkEnvelope;
      } catch {
        throw new VkTransportError(`VK ${method}: answer is not JSON`, status);
      }
      if (envelope.error) throw toVkError(envelope.error, method);
      return envelope;
    } catch (e) {
      errorCode = e instanceof VkApiError ? String(e.code) : e instanceof Error ? e.name : 'Error';
      if (!(e instanceof VkApiError) && !(e instanceof VkTransportError)) {
        throw new VkTransportError(`VK ${method}: ${e instanceof Error ? e.message : e}`, status);
      }
      throw e;
    } finally {
      this.log.record({
        at: new Date(started),
        service: 'vk',
        method: `POST ${label}`,
        url,
        status,
        errorCode,
        durationMs: Date.now() - started,
        requestExcerpt: excerpt(logParams(params)),
        responseExcerpt: excerpt(text),
        userId: this.options.userId ?? null,
      });
    }
  }
}

/**
 * What the log keeps of a request: never the token; an execute's script under a name the
 * redactor leaves alone (it hides anything called `code`, which suits OAuth codes, not scripts).
 */
function logParams(params: VkParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    if (key === 'access_token') continue;
    out[key === 'code' ? 'script' : key] = value;
  }
  return out;
}
