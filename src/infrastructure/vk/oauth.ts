import axios from 'axios';
import type { ApiRequestLog } from '../../application/ports/api-request-log.js';
import { nullApiRequestLog } from '../../application/ports/api-request-log.js';
import { excerpt, redactUrl } from '../api-log/redact.js';
import { keepAliveAgents } from '../shared/keep-alive-agents.js';
import { VkOAuthError, VkTransportError } from './errors.js';

/** The rights EvoSync asks for: manage the market, list communities, upload photos, keep access. */
export const VK_SCOPE = ['market', 'groups', 'photos', 'offline'];

export interface AuthorizeUrlOptions {
  oauthUrl: string;
  clientId: string;
  redirectUri: string;
  state: string;
  scope?: string[];
  version?: string;
}

/** Where to send the browser to log in to VK (authorization-code flow). */
export function buildAuthorizeUrl(o: AuthorizeUrlOptions): string {
  const url = new URL(`${o.oauthUrl.replace(/\/$/, '')}/authorize`);
  url.searchParams.set('client_id', o.clientId);
  url.searchParams.set('redirect_uri', o.redirectUri);
  url.searchParams.set('display', 'page');
  url.searchParams.set('scope', (o.scope ?? VK_SCOPE).join(','));
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('state', o.state);
  url.searchParams.set('v', o.version ?? '5.199');
  return url.toString();
}

export interface CodeExchange {
  oauthUrl: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  code: string;
  log?: ApiRequestLog;
  userId?: string | null;
  timeoutMs?: number;
}

export interface VkUserToken {
  accessToken: string;
  /** seconds; 0 means it does not expire (scope `offline`) */
  expiresIn: number;
  vkUserId: number;
}

/** Trades the code from the redirect for a user token. */
export async function exchangeCode(o: CodeExchange): Promise<VkUserToken> {
  const url = new URL(`${o.oauthUrl.replace(/\/$/, '')}/access_token`);
  url.searchParams.set('client_id', o.clientId);
  url.searchParams.set('client_secret', o.clientSecret);
  url.searchParams.set('redirect_uri', o.redirectUri);
  url.searchParams.set('code', o.code);
  const body = await oauthRequest({
    url: url.toString(),
    label: 'GET oauth/access_token',
    ...(o.log ? { log: o.log } : {}),
    userId: o.userId ?? null,
    ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
  });
  if (typeof body.access_token !== 'string') throw new VkOAuthError('no_token', 'no access_token');
  return {
    accessToken: body.access_token,
    expiresIn: Number(body.expires_in ?? 0),
    vkUserId: Number(body.user_id),
  };
}

export interface OAuthRequest {
  url: string;
  /** sent as a form (POST) when present, else a GET */
  form?: URLSearchParams;
  /** the request log's method column */
  label: string;
  log?: ApiRequestLog;
  userId?: string | null;
  timeoutMs?: number;
}

/**
 * One request to an OAuth endpoint of VK (oauth.vk.com, id.vk.com): the JSON answer, or a
 * VkOAuthError when it names an `error`, or a VkTransportError when there is no usable answer.
 * Logged with every secret redacted (codes, verifiers, tokens, client secrets).
 */
export async function oauthRequest(o: OAuthRequest): Promise<Record<string, unknown>> {
  const log = o.log ?? nullApiRequestLog;
  const started = Date.now();
  let status: number | null = null;
  let text: string | null = null;
  let errorCode: string | null = null;
  try {
    const common = {
      responseType: 'text' as const,
      transformResponse: (data: unknown) => data,
      validateStatus: () => true,
      timeout: o.timeoutMs ?? 30_000,
      ...keepAliveAgents,
    };
    const res = o.form
      ? await axios.post<string>(o.url, o.form.toString(), {
          ...common,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        })
      : await axios.get<string>(o.url, common);
    status = res.status;
    text = String(res.data);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new VkTransportError(`VK OAuth: HTTP ${status}, not JSON`, status);
    }
    if (body.error !== undefined) {
      errorCode = String(body.error);
      throw new VkOAuthError(errorCode, String(body.error_description ?? ''));
    }
    if (status >= 500) throw new VkTransportError(`VK OAuth: HTTP ${status}`, status);
    return body;
  } catch (e) {
    errorCode ??= e instanceof Error ? e.name : 'Error';
    if (e instanceof VkOAuthError || e instanceof VkTransportError) throw e;
    throw new VkTransportError(`VK OAuth: ${e instanceof Error ? e.message : e}`, status);
  } finally {
    log.record({
      at: new Date(started),
      service: 'vk',
      method: o.label,
      url: redactUrl(o.url),
      status,
      errorCode,
      durationMs: Date.now() - started,
      requestExcerpt: o.form ? excerpt(o.form) : null,
      responseExcerpt: excerpt(text),
      userId: o.userId ?? null,
    });
  }
}
