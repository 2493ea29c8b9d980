/**
 * What the connection use cases need from Evotor and VK, as the sync module has its ports
 * (../sync/ports.ts): the infrastructure adapters (src/infrastructure/connections) wrap the HTTP
 * clients and turn their errors into the results and refusals below, so this layer never sees
 * a concrete client or error class.
 */

/** What the "Проверить" button and the health job see (the JSON of the test endpoints). */
export interface ConnectionTestResult {
  ok: boolean;
  /** for the user, in Russian */
  message: string;
  errorCode?: string;
  details: Record<string, unknown>;
  /**
   * false when the failure says nothing about the connection itself (network, 5xx, rate
   * limit): the health job does not mark the connection broken for those.
   */
  conclusive: boolean;
}

export type VkTokenKind = 'user' | 'community';

export interface VkCredentials {
  token: string;
  groupId: number;
  tokenKind: VkTokenKind;
}

/** Live checks of saved credentials; failures come back as results, never thrown. */
export interface ConnectionProbes {
  /** `GET /stores` with the token */
  checkEvotor(token: string, userId: string): Promise<ConnectionTestResult>;
  /** `groups.getById` and `market.getAlbums` with the token and community */
  checkVk(vk: VkCredentials, userId: string): Promise<ConnectionTestResult>;
}

export interface VkGroup {
  id: number;
  name: string;
  is_admin?: number;
  market?: { enabled?: number };
}

/**
 * VK refused or could not be reached: `oauth` when VK's OAuth server (oauth.vk.com, VK ID)
 * refused a code or a refresh token, otherwise the errorCode and Russian message a check would
 * show (`unavailable`, or VK's error number).
 */
export class VkRefusal extends Error {
  constructor(
    readonly kind: 'oauth' | 'vk',
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
    this.name = 'VkRefusal';
  }
}

/** The VK login and the checks of a pasted token; every failure is a VkRefusal. */
export interface VkLogin {
  authorizeUrl(o: { redirectUri: string; state: string }): string;
  exchangeCode(o: {
    redirectUri: string;
    code: string;
    userId: string;
  }): Promise<{ accessToken: string; vkUserId: number }>;
  /** The token's owner; null for a community token (VK refuses users.get with group auth). */
  profile(
    token: string,
    tokenKind: VkTokenKind,
    userId: string,
  ): Promise<{ id: number; name: string } | null>;
  /** the communities the token's user administers */
  adminGroups(token: string, userId: string): Promise<Array<{ id: number; name: string }>>;
  group(token: string, tokenKind: VkTokenKind, groupId: number, userId: string): Promise<VkGroup>;
}

/** A VK ID token pair (OAuth 2.1): the access token lives `expiresIn` seconds. */
export interface VkIdTokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  vkUserId: number;
}

/**
 * VK ID sign-in with PKCE and the refresh of its tokens. A refusal by VK ID (a wrong code or
 * verifier, a used or revoked refresh token) is a VkRefusal of kind `oauth`; no answer is a
 * VkRefusal of kind `vk` with errorCode `unavailable`.
 */
export interface VkIdLogin {
  /** id.vk.com/authorize with the S256 challenge of `codeVerifier` */
  authorizeUrl(o: { redirectUri: string; state: string; codeVerifier: string }): string;
  exchangeCode(o: {
    redirectUri: string;
    code: string;
    codeVerifier: string;
    deviceId: string;
    state: string;
    userId: string;
  }): Promise<VkIdTokenPair>;
  refresh(o: { refreshToken: string; deviceId: string; userId: string }): Promise<VkIdTokenPair>;
}
