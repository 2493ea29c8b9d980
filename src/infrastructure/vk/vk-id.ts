import { createHash, randomBytes } from 'node:crypto';
import type { ApiRequestLog } from '../../application/ports/api-request-log.js';
import { VkOAuthError } from './errors.js';
import { oauthRequest } from './oauth.js';

/**
 * VK ID (id.vk.com), OAuth 2.1 with PKCE, as its "Справочник методов" describes it:
 * `GET /authorize` with `code_challenge` (S256), then `POST /oauth2/auth` with
 * `grant_type=authorization_code` (code, code_verifier, device_id from the redirect) or
 * `grant_type=refresh_token`. There is no `offline` right: access tokens live about an hour and
 * come with a single-use refresh token.
 */

/** The rights EvoSync asks for: the community's market, the communities, photo uploads. */
export const VK_ID_SCOPE = ['market', 'groups', 'photos'];

/** A PKCE code_verifier: 64 characters of VK's alphabet (a-z, A-Z, 0-9, _, -; 43 to 128). */
export function newCodeVerifier(): string {
  return randomBytes(48).toString('base64url');
}

/** BASE64URL(SHA256(code_verifier)) without padding (RFC 7636, S256). */
export function codeChallenge(codeVerifier: string): string {
  return createHash('sha256').update(codeVerifier).digest('base64url');
}

export interface VkIdEndpoint {
  /** https://id.vk.com (VK_ID_URL) */
  vkIdUrl: string;
  clientId: string;
  log?: ApiRequestLog;
  userId?: string | null;
  timeoutMs?: number;
}

export function buildVkIdAuthorizeUrl(o: {
  vkIdUrl: string;
  clientId: string;
  redirectUri: string;
  state: string;
  codeVerifier: string;
  scope?: string[];
}): string {
  const url = new URL(`${o.vkIdUrl.replace(/\/$/, '')}/authorize`);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', o.clientId);
  url.searchParams.set('redirect_uri', o.redirectUri);
  url.searchParams.set('state', o.state);
  url.searchParams.set('code_challenge', codeChallenge(o.codeVerifier));
  url.searchParams.set('code_challenge_method', 's256');
  url.searchParams.set('scope', (o.scope ?? VK_ID_SCOPE).join(' '));
  return url.toString();
}

export interface VkIdTokenSet {
  accessToken: string;
  refreshToken: string;
  /** seconds */
  expiresIn: number;
  vkUserId: number;
  scope: string;
}

/** The code from the redirect (with its device_id) for the first token pair. */
export function exchangeVkIdCode(
  o: VkIdEndpoint & {
    redirectUri: string;
    code: string;
    codeVerifier: string;
    deviceId: string;
    state: string;
  },
): Promise<VkIdTokenSet> {
  return tokenRequest(o, o.state, {
    grant_type: 'authorization_code',
    code: o.code,
    code_verifier: o.codeVerifier,
    client_id: o.clientId,
    device_id: o.deviceId,
    redirect_uri: o.redirectUri,
    state: o.state,
  });
}

/** A new pair for the refresh token; VK ID refuses that refresh token from then on. */
export function refreshVkIdToken(
  o: VkIdEndpoint & { refreshToken: string; deviceId: string },
): Promise<VkIdTokenSet> {
  const state = randomBytes(16).toString('base64url');
  return tokenRequest(o, state, {
    grant_type: 'refresh_token',
    refresh_token: o.refreshToken,
    client_id: o.clientId,
    device_id: o.deviceId,
    state,
  });
}

async function tokenRequest(
  o: VkIdEndpoint,
  state: string,
  form: Record<string, string>,
): Promise<VkIdTokenSet> {
  const body = await oauthRequest({
    url: `${o.vkIdUrl.replace(/\/$/, '')}/oauth2/auth`,
    form: new URLSearchParams(form),
    label: `POST oauth2/auth ${form.grant_type}`,
    ...(o.log ? { log: o.log } : {}),
    userId: o.userId ?? null,
    ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
  });
  // VK's SDK checks the state it sent against the answer's; so do we.
  if (body.state !== state)
    throw new VkOAuthError('state_mismatch', 'VK ID answered another state');
  if (typeof body.access_token !== 'string' || typeof body.refresh_token !== 'string')
    throw new VkOAuthError('no_token', 'no access_token or refresh_token');
  return {
    accessToken: body.access_token,
    refreshToken: body.refresh_token,
    expiresIn: Number(body.expires_in ?? 3600),
    vkUserId: Number(body.user_id),
    scope: typeof body.scope === 'string' ? body.scope : '',
  };
}
