import type { ApiRequestLog } from '../../application/ports/api-request-log.js';
import { VkRefusal, type VkIdLogin, type VkLogin } from '../../application/connections/ports.js';
import { VkApiError, VkOAuthError, VkTransportError } from '../vk/errors.js';
import { buildAuthorizeUrl, exchangeCode } from '../vk/oauth.js';
import { buildVkIdAuthorizeUrl, exchangeVkIdCode, refreshVkIdToken } from '../vk/vk-id.js';
import type { VkClient } from '../vk/vk-client.js';
import { fetchGroup, vkClient, vkFailure, type ApiSettings } from './probes.js';

export interface VkLoginSettings extends ApiSettings {
  VK_OAUTH_URL: string;
  VK_APP_ID?: string | undefined;
  VK_APP_SECRET?: string | undefined;
  VK_ID_URL: string;
  VK_ID_APP_ID?: string | undefined;
}

/** OAuth error codes that say "later", not "no" (RFC 6749 §4.1.2.1). */
const OAUTH_LATER = ['server_error', 'temporarily_unavailable'];

/** VK's errors as the refusals the use cases show (the same messages as a check). */
function refusal(error: unknown): never {
  if (error instanceof VkOAuthError && OAUTH_LATER.includes(error.error))
    throw new VkRefusal('vk', 'unavailable', 'VK сейчас не отвечает. Повторите позже.');
  if (error instanceof VkOAuthError) throw new VkRefusal('oauth', error.error, error.message);
  if (error instanceof VkApiError || error instanceof VkTransportError) {
    const failure = vkFailure(error);
    throw new VkRefusal('vk', failure.errorCode ?? 'error', failure.message);
  }
  throw error;
}

async function mapped<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    return refusal(error);
  }
}

/** The VK login flow and token checks over the VK HTTP client (rate-limited per token). */
export function vkLogin(s: VkLoginSettings, log?: ApiRequestLog): VkLogin {
  const client = (token: string, tokenKind: 'user' | 'community', userId: string) =>
    vkClient(s, { token, tokenKind }, userId, log);
  return {
    authorizeUrl: ({ redirectUri, state }) =>
      buildAuthorizeUrl({
        oauthUrl: s.VK_OAUTH_URL,
        clientId: s.VK_APP_ID ?? '',
        redirectUri,
        state,
        version: s.VK_API_VERSION,
      }),
    exchangeCode: ({ redirectUri, code, userId }) =>
      mapped(async () => {
        const token = await exchangeCode({
          oauthUrl: s.VK_OAUTH_URL,
          clientId: s.VK_APP_ID ?? '',
          clientSecret: s.VK_APP_SECRET ?? '',
          redirectUri,
          code,
          userId,
          ...(log ? { log } : {}),
        });
        return { accessToken: token.accessToken, vkUserId: token.vkUserId };
      }),
    profile: (token, tokenKind, userId) =>
      mapped(() => userProfile(client(token, tokenKind, userId))),
    adminGroups: (token, userId) =>
      mapped(async () => {
        const admin = await client(token, 'user', userId).call<{
          items: Array<{ id: number; name: string }>;
        }>('groups.get', { filter: 'admin', extended: 1 });
        return admin.items.map((g) => ({ id: g.id, name: g.name }));
      }),
    group: (token, tokenKind, groupId, userId) =>
      mapped(() => fetchGroup(client(token, tokenKind, userId), groupId)),
  };
}

/** The token's owner; null for a community token (VK refuses users.get with group auth: 27). */
async function userProfile(client: VkClient): Promise<{ id: number; name: string } | null> {
  try {
    const users = await client.call<Array<{ id: number; first_name: string; last_name: string }>>(
      'users.get',
      {},
    );
    const me = users[0];
    return me ? { id: me.id, name: `${me.first_name} ${me.last_name}`.trim() } : null;
  } catch (error) {
    if (error instanceof VkApiError && error.code === 27) return null;
    throw error;
  }
}

/** VK ID (id.vk.com) sign-in and refresh; the client is public, so PKCE instead of a secret. */
export function vkIdLogin(s: VkLoginSettings, log?: ApiRequestLog): VkIdLogin {
  const endpoint = (userId: string) => ({
    vkIdUrl: s.VK_ID_URL,
    clientId: s.VK_ID_APP_ID ?? '',
    userId,
    ...(log ? { log } : {}),
  });
  return {
    authorizeUrl: ({ redirectUri, state, codeVerifier }) =>
      buildVkIdAuthorizeUrl({
        vkIdUrl: s.VK_ID_URL,
        clientId: s.VK_ID_APP_ID ?? '',
        redirectUri,
        state,
        codeVerifier,
      }),
    exchangeCode: ({ userId, ...o }) =>
      mapped(() => exchangeVkIdCode({ ...endpoint(userId), ...o })),
    refresh: ({ userId, ...o }) => mapped(() => refreshVkIdToken({ ...endpoint(userId), ...o })),
  };
}
