import axios, { type AxiosInstance } from 'axios';
import type { IncomingHttpHeaders } from 'node:http';
import type { ApiRequestLog } from '../../application/ports/api-request-log.js';
import { nullApiRequestLog } from '../../application/ports/api-request-log.js';
import { excerpt, redactUrl } from '../api-log/redact.js';
import type { Logger } from '../logging/logger.js';
import {
  EvotorAuthError,
  EvotorNotFoundError,
  EvotorPaymentRequiredError,
  EvotorProtocolError,
  EvotorRateLimitedError,
  EvotorUnavailableError,
} from './errors.js';
import type {
  EvotorErrorBody,
  EvotorGroup,
  EvotorPage,
  EvotorProduct,
  EvotorProductImage,
  EvotorStore,
} from './types.js';
import { EVOTOR_V2_MEDIA_TYPE } from './types.js';
import { jitteredBackoff } from '../shared/backoff.js';
import { getText } from '../shared/get-text.js';
import { keepAliveAgents } from '../shared/keep-alive-agents.js';
import { sleep } from '../shared/sleep.js';

export interface EvotorClientOptions {
  /** `EVOTOR_API_URL` */
  baseUrl: string;
  /** Evotor's access token for this user (never logged) */
  token: string;
  /** the EvoSync user the calls are made for, written to the request log */
  userId?: string | null;
  log?: ApiRequestLog;
  logger?: Logger;
  /** per request */
  timeoutMs?: number;
  /** retries after a 5xx, a timeout or a dropped connection */
  maxRetries?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** retries after a 429 */
  maxRateLimitRetries?: number;
  /** the longest wait honoured from `X-RateLimit-Reset`, whatever the server asks */
  maxRateLimitWaitMs?: number;
}

/** Evotor's documentation: up to about 5 MB; a larger answer is not an image of a product. */
const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
/** A page of a list is a few hundred KB; an answer this large is not one Evotor sends. */
const MAX_JSON_BYTES = 64 * 1024 * 1024;

/** What a call got back, from either transport: the status, the headers and the body. */
interface Answer<Body extends string | ArrayBuffer> {
  status: number;
  headers: IncomingHttpHeaders | Record<string, unknown>;
  data: Body;
}

/** One call's outcome: an answer of any status, or no answer at all. */
type Attempt<Body extends string | ArrayBuffer> =
  { response: Answer<Body> } | { error: Error & { code?: string } };

const DEFAULTS = {
  timeoutMs: 30_000,
  maxRetries: 4,
  backoffBaseMs: 500,
  backoffMaxMs: 15_000,
  maxRateLimitRetries: 5,
  maxRateLimitWaitMs: 60_000,
};

/**
 * Reads the Evotor cloud API v2 for one user: stores, groups and products, page by page. The
 * JSON reads go through `getText` (Node's HTTP client: a first sync makes one per product, and
 * axios costs twice the CPU per request); image downloads, which may follow a redirect to
 * another origin and are few, through axios.
 */
export class EvotorClient {
  private readonly baseUrl: string;
  private readonly headers: Record<string, string>;
  /** image downloads from Evotor's API origin: with the token */
  private readonly http: AxiosInstance;
  /** for image URLs outside Evotor's API origin: no token */
  private readonly foreignHttp: AxiosInstance;
  private readonly settings: typeof DEFAULTS;

  constructor(private readonly options: EvotorClientOptions) {
    this.settings = { ...DEFAULTS, ...stripUndefined(options) };
    this.baseUrl = options.baseUrl.replace(/\/$/, '');
    this.headers = { 'X-Authorization': options.token, Accept: EVOTOR_V2_MEDIA_TYPE };
    this.http = axios.create({
      baseURL: this.baseUrl,
      timeout: this.settings.timeoutMs,
      headers: this.headers,
      // Statuses are interpreted here, not by axios.
      validateStatus: () => true,
      transitional: { clarifyTimeoutError: true },
      maxRedirects: 0,
      ...keepAliveAgents,
    });
    this.foreignHttp = axios.create({
      timeout: this.settings.timeoutMs,
      validateStatus: () => true,
      transitional: { clarifyTimeoutError: true },
      maxRedirects: 3,
      ...keepAliveAgents,
    });
  }

  listStores(): AsyncGenerator<EvotorStore[]> {
    return this.pages<EvotorStore>('/stores', null);
  }

  listGroups(storeId: string): AsyncGenerator<EvotorGroup[]> {
    return this.pages<EvotorGroup>(
      `/stores/${encodeURIComponent(storeId)}/product-groups`,
      storeId,
    );
  }

  listProducts(storeId: string): AsyncGenerator<EvotorProduct[]> {
    return this.pages<EvotorProduct>(`/stores/${encodeURIComponent(storeId)}/products`, storeId);
  }

  allStores(): Promise<EvotorStore[]> {
    return collect(this.listStores());
  }

  allGroups(storeId: string): Promise<EvotorGroup[]> {
    return collect(this.listGroups(storeId));
  }

  allProducts(storeId: string): Promise<EvotorProduct[]> {
    return collect(this.listProducts(storeId));
  }

  getProduct(storeId: string, productId: string): Promise<EvotorProduct> {
    const path = `/stores/${encodeURIComponent(storeId)}/products/${encodeURIComponent(productId)}`;
    return this.getJson<EvotorProduct>(path, storeId);
  }

  /** The product's images (Evotor's documentation: at most one, a PNG of 300×300). */
  productImages(storeId: string, productId: string): Promise<EvotorProductImage[]> {
    const path = `/stores/${encodeURIComponent(storeId)}/products/${encodeURIComponent(productId)}/images`;
    return collect(this.pages<EvotorProductImage>(path, storeId));
  }

  /**
   * An image's bytes from the `url` its list gave. The token goes only to Evotor's own API
   * origin: an image served from elsewhere (a CDN) never sees it.
   */
  async downloadImage(url: string): Promise<Buffer> {
    const sameOrigin =
      new URL(url, this.options.baseUrl).origin === new URL(this.options.baseUrl).origin;
    const request = 'GET product image';
    const http = sameOrigin ? this.http : this.foreignHttp;
    const { status, data } = await this.answer(request, () =>
      this.attempt(url, () =>
        http.get<ArrayBuffer>(url, {
          responseType: 'arraybuffer',
          maxContentLength: MAX_IMAGE_BYTES,
        }),
      ),
    );
    if (status >= 200 && status < 300) return Buffer.from(data);
    throw statusError(status, `Evotor answered ${status} to ${request}`, request);
  }

  private async *pages<T>(path: string, storeId: string | null): AsyncGenerator<T[]> {
    const seen = new Set<string>();
    let cursor: string | undefined;
    do {
      const url = cursor ? `${path}?cursor=${encodeURIComponent(cursor)}` : path;
      const page = await this.getJson<EvotorPage<T>>(url, storeId);
      if (!page || !Array.isArray(page.items)) {
        throw new EvotorProtocolError('Evotor answered a list without items', 200, `GET ${path}`);
      }
      yield page.items;
      cursor = page.paging?.next_cursor || undefined;
      // A server that hands out the same cursor twice would keep this loop going forever.
      if (cursor && seen.has(cursor)) {
        throw new EvotorProtocolError('Evotor repeated a paging cursor', 200, `GET ${path}`);
      }
      if (cursor) seen.add(cursor);
    } while (cursor);
  }

  private async getJson<T>(url: string, storeId: string | null): Promise<T> {
    const request = `GET ${url.split('?')[0]}`;
    const { status, data } = await this.answer(request, () =>
      this.attempt(url, () =>
        getText(`${this.baseUrl}${url}`, {
          headers: this.headers,
          timeoutMs: this.settings.timeoutMs,
          maxBytes: MAX_JSON_BYTES,
        }),
      ),
    );
    if (status >= 200 && status < 300) return parseJson<T>(data, request);
    const body = tryParse(data) as EvotorErrorBody | undefined;
    const detail = `Evotor answered ${status} to ${request}${body?.message ? `: ${body.message}` : ''}`;
    throw statusError(status, detail, request, { storeId });
  }

  /**
   * Sends until Evotor gives an answer to act on, for JSON reads and image downloads alike:
   * no answer (a timeout, a dropped connection) and a 5xx are retried with backoff up to
   * `maxRetries`, a 429 waits for `X-RateLimit-Reset` up to `maxRateLimitRetries`. The last
   * 5xx is returned for the caller to report; no answer at all is EvotorUnavailableError.
   */
  private async answer<Body extends string | ArrayBuffer>(
    request: string,
    send: () => Promise<Attempt<Body>>,
  ): Promise<Answer<Body>> {
    let failures = 0;
    let rateLimited = 0;
    for (;;) {
      const outcome = await send();
      let waitMs: number;
      if ('error' in outcome) {
        if (failures >= this.settings.maxRetries) {
          throw new EvotorUnavailableError(
            `Evotor did not answer ${request}: ${outcome.error.message}`,
            null,
            request,
            { cause: outcome.error },
          );
        }
        waitMs = this.backoff(failures++);
      } else if (outcome.response.status === 429) {
        const resetSeconds = numberHeader(outcome.response.headers['x-ratelimit-reset']);
        if (rateLimited >= this.settings.maxRateLimitRetries) {
          const detail = `Evotor answered 429 to ${request}`;
          throw new EvotorRateLimitedError(detail, request, resetSeconds);
        }
        waitMs = resetSeconds === null ? this.backoff(rateLimited) : resetSeconds * 1000;
        rateLimited++;
        this.options.logger?.debug({ request, waitMs }, 'evotor rate limit, waiting');
        waitMs = Math.min(waitMs, this.settings.maxRateLimitWaitMs);
      } else if (outcome.response.status >= 500 && failures < this.settings.maxRetries) {
        waitMs = this.backoff(failures++);
      } else {
        return outcome.response;
      }
      await sleep(waitMs);
    }
  }

  /** One HTTP call, always recorded in the request log, whatever its outcome. */
  private async attempt<Body extends string | ArrayBuffer>(
    url: string,
    send: () => Promise<Answer<Body>>,
  ): Promise<Attempt<Body>> {
    const started = performance.now();
    const at = new Date();
    const record = (status: number | null, errorCode: string | null, body: unknown) =>
      this.log.record({
        at,
        service: 'evotor',
        method: `GET ${url.startsWith('/') ? url.split('?')[0] : 'product image'}`,
        url: redactUrl(url),
        status,
        errorCode,
        durationMs: Math.round(performance.now() - started),
        requestExcerpt: null,
        responseExcerpt: excerpt(body),
        userId: this.options.userId ?? null,
      });
    try {
      const response = await send();
      const failed = response.status >= 400;
      const text = typeof response.data === 'string' ? response.data : null;
      const code = failed ? errorCodeOf(text ?? '', response.status) : null;
      record(response.status, code, text ?? `[${Buffer.byteLength(response.data)} bytes]`);
      return { response };
    } catch (err) {
      const error = err as Error & { code?: string };
      record(null, error.code ?? error.name, null);
      return { error };
    }
  }

  private get log(): ApiRequestLog {
    return this.options.log ?? nullApiRequestLog;
  }

  /** Exponential backoff with jitter, so many workers do not retry in step. */
  private backoff(attempt: number): number {
    return jitteredBackoff(attempt, {
      baseMs: this.settings.backoffBaseMs,
      maxMs: this.settings.backoffMaxMs,
    });
  }
}

/**
 * The error for an answer that is not a success. A 402 means "not paid for this store" only
 * for the store's own reads (`store` given); elsewhere it is an answer the client cannot use.
 */
function statusError(
  status: number,
  detail: string,
  request: string,
  store?: { storeId: string | null },
): Error {
  if (status >= 500) return new EvotorUnavailableError(detail, status, request);
  if (status === 401 || status === 403) return new EvotorAuthError(detail, status, request);
  if (status === 402 && store)
    return new EvotorPaymentRequiredError(detail, request, store.storeId);
  if (status === 404) return new EvotorNotFoundError(detail, status, request);
  return new EvotorProtocolError(detail, status, request);
}

async function collect<T>(pages: AsyncGenerator<T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const items of pages) all.push(...items);
  return all;
}

function tryParse(text: unknown): unknown {
  if (typeof text !== 'string' || text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function parseJson<T>(text: string, request: string): T {
  const value = tryParse(text);
  if (value === undefined) {
    throw new EvotorProtocolError(`Evotor answered ${request} with no JSON`, 200, request);
  }
  return value as T;
}

function errorCodeOf(text: string, status: number): string {
  const code = (tryParse(text) as EvotorErrorBody | undefined)?.code;
  return code === undefined || code === null ? `HTTP_${status}` : String(code);
}

function numberHeader(value: unknown): number | null {
  const n = Number(Array.isArray(value) ? value[0] : value);
  return value === undefined || value === null || !Number.isFinite(n) || n < 0 ? null : n;
}

function stripUndefined(options: EvotorClientOptions): Partial<typeof DEFAULTS> {
  const picked: Partial<typeof DEFAULTS> = {};
  for (const key of Object.keys(DEFAULTS) as Array<keyof typeof DEFAULTS>) {
    const value = options[key];
    if (value !== undefined) picked[key] = value;
  }
  return picked;
}
