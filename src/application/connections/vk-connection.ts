import {
  vkAccount,
  vkAccountStream,
  type VkAccountEvent,
  type VkIdGrant,
} from '../../domain/connections/vk-account.js';
import { VkRefusal, type ConnectionTestResult, type VkGroup } from './ports.js';
import { connectionCommand, ConnectionError, type ConnectionsDeps } from './context.js';
import { tokenFingerprint } from './fingerprint.js';
import { loadState } from '../commands/load-state.js';
import { VkReconnectNeeded, VkTokens } from './vk-tokens.js';

/** After the VK login, until the owner picks a community: kept in the session, tokens encrypted. */
export interface PendingVkLogin {
  tokenCiphertext: string;
  vkUserId: number;
  vkUserName: string;
  groups: Array<{ id: number; name: string }>;
  /** a VK ID sign-in: the refresh token and its device */
  vkId?: VkIdGrant;
}

export const VK_CALLBACK_PATH = '/connections/vk/oauth/callback';
export const VK_ID_CALLBACK_PATH = '/connections/vk/id/callback';

/** The shop owner's VK community: VK ID, VK login or a pasted token, disconnect, a live check. */
export class VkConnection {
  readonly tokens: VkTokens;

  constructor(private readonly deps: ConnectionsDeps) {
    this.tokens = new VkTokens(deps);
  }

  async state(userId: string) {
    return loadState(this.deps.store, vkAccount, vkAccountStream(userId));
  }

  get oauthConfigured(): boolean {
    return Boolean(this.deps.settings.VK_APP_ID && this.deps.settings.VK_APP_SECRET);
  }

  private get redirectUri() {
    return `${this.deps.settings.BASE_URL}${VK_CALLBACK_PATH}`;
  }

  authorizeUrl(state: string): string {
    const s = this.deps.settings;
    if (!s.VK_APP_ID) throw new ConnectionError('vk_oauth_off', 'Вход через VK не настроен.');
    return this.deps.vkLogin.authorizeUrl({ redirectUri: this.redirectUri, state });
  }

  /** Code → user token, then the profile and the communities the user administers. */
  async completeLogin(userId: string, code: string): Promise<PendingVkLogin> {
    const s = this.deps.settings;
    if (!s.VK_APP_ID || !s.VK_APP_SECRET)
      throw new ConnectionError('vk_oauth_off', 'Вход через VK не настроен.');
    return this.signedIn(userId, async () => {
      const token = await this.deps.vkLogin.exchangeCode({
        redirectUri: this.redirectUri,
        code,
        userId,
      });
      return { ...token, vkId: null };
    });
  }

  get vkIdConfigured(): boolean {
    return Boolean(this.deps.settings.VK_ID_APP_ID);
  }

  private get vkIdRedirectUri() {
    return `${this.deps.settings.BASE_URL}${VK_ID_CALLBACK_PATH}`;
  }

  /** id.vk.com/authorize for this state and the S256 challenge of `codeVerifier`. */
  vkIdAuthorizeUrl(state: string, codeVerifier: string): string {
    if (!this.vkIdConfigured)
      throw new ConnectionError('vk_id_off', 'Вход через VK ID не настроен.');
    return this.deps.vkId.authorizeUrl({ redirectUri: this.vkIdRedirectUri, state, codeVerifier });
  }

  /** VK ID's code (with its device and our verifier) → a token pair, the profile, the communities. */
  async completeVkIdLogin(
    userId: string,
    o: { code: string; deviceId: string; codeVerifier: string; state: string },
  ): Promise<PendingVkLogin> {
    if (!this.vkIdConfigured)
      throw new ConnectionError('vk_id_off', 'Вход через VK ID не настроен.');
    return this.signedIn(userId, async () => {
      const pair = await this.deps.vkId.exchangeCode({
        redirectUri: this.vkIdRedirectUri,
        ...o,
        userId,
      });
      const vkId: VkIdGrant = {
        refreshCiphertext: await this.deps.cipher.encrypt(userId, pair.refreshToken),
        deviceId: o.deviceId,
        expiresAt: new Date(Date.now() + pair.expiresIn * 1000).toISOString(),
      };
      return { accessToken: pair.accessToken, vkUserId: pair.vkUserId, vkId };
    });
  }

  /** The signed-in user's profile and communities, the access token encrypted for the session. */
  private async signedIn(
    userId: string,
    exchange: () => Promise<{ accessToken: string; vkUserId: number; vkId: VkIdGrant | null }>,
  ): Promise<PendingVkLogin> {
    const vk = this.deps.vkLogin;
    try {
      const token = await exchange();
      const profile = await vk.profile(token.accessToken, 'user', userId);
      const groups = await vk.adminGroups(token.accessToken, userId);
      return {
        tokenCiphertext: await this.deps.cipher.encrypt(userId, token.accessToken),
        vkUserId: profile?.id ?? token.vkUserId,
        vkUserName: profile?.name ?? `id${token.vkUserId}`,
        groups,
        ...(token.vkId ? { vkId: token.vkId } : {}),
      };
    } catch (error) {
      if (error instanceof VkRefusal && error.kind === 'oauth')
        throw new ConnectionError('vk_oauth', 'VK не подтвердил вход. Попробуйте ещё раз.');
      throw asConnectionError(error, 'token');
    }
  }

  async connectChosen(userId: string, pending: PendingVkLogin, groupId: number): Promise<void> {
    const group = pending.groups.find((g) => g.id === groupId);
    if (!group) throw new ConnectionError('vk_group', 'Выберите сообщество из списка.', 'groupId');
    const token = await this.deps.cipher.decrypt(userId, pending.tokenCiphertext);
    await this.connect(userId, {
      vkUserId: pending.vkUserId,
      vkUserName: pending.vkUserName,
      groupId,
      groupName: group.name,
      tokenCiphertext: pending.tokenCiphertext,
      tokenFingerprint: tokenFingerprint(this.deps.settings.SECRET_KEY, token),
      tokenKind: 'user',
      ...(pending.vkId ? { vkId: pending.vkId } : {}),
    });
  }

  /** A pasted user or community token, checked against VK before it is saved. */
  async connectWithToken(userId: string, token: string, groupId: number): Promise<void> {
    const s = this.deps.settings;
    const vk = this.deps.vkLogin;
    let profile: { id: number; name: string } | null;
    try {
      profile = await vk.profile(token, 'user', userId);
    } catch (error) {
      throw asConnectionError(error, 'token');
    }
    let group: VkGroup;
    try {
      group = await vk.group(token, profile ? 'user' : 'community', groupId, userId);
    } catch (error) {
      throw asConnectionError(error, 'groupId');
    }
    if (profile && group.is_admin === 0)
      throw new ConnectionError(
        'vk_not_admin',
        'Этот пользователь VK не администратор сообщества.',
        'groupId',
      );
    await this.connect(userId, {
      vkUserId: profile?.id ?? null,
      vkUserName: profile?.name ?? null,
      groupId: group.id,
      groupName: group.name,
      tokenCiphertext: await this.deps.cipher.encrypt(userId, token),
      tokenFingerprint: tokenFingerprint(s.SECRET_KEY, token),
      tokenKind: profile ? 'user' : 'community',
    });
  }

  private async connect(
    userId: string,
    connection: Omit<Extract<VkAccountEvent, { type: 'VkCommunityConnected' }>['data'], 'userId'>,
  ): Promise<void> {
    await connectionCommand(this.deps, vkAccount, vkAccountStream(userId), userId, {
      type: 'ConnectVkCommunity',
      userId,
      ...connection,
    });
  }

  async disconnect(userId: string): Promise<void> {
    await connectionCommand(this.deps, vkAccount, vkAccountStream(userId), userId, {
      type: 'DisconnectVk',
      userId,
    });
  }

  /** null when no community is connected; a VK ID token is renewed first when it expires soon. */
  async test(userId: string): Promise<ConnectionTestResult | null> {
    const { connection } = await this.state(userId);
    if (!connection) return null;
    let token: string | null;
    try {
      token = await this.tokens.accessToken(userId);
    } catch (error) {
      const fail = (errorCode: string, message: string, conclusive: boolean) => ({
        ok: false,
        message,
        errorCode,
        details: {},
        conclusive,
      });
      if (error instanceof VkReconnectNeeded) return fail('reconnect', error.message, true);
      if (error instanceof VkRefusal) return fail(error.errorCode, error.message, false);
      throw error;
    }
    if (token === null) return null;
    return this.deps.probes.checkVk(
      { token, groupId: connection.groupId, tokenKind: connection.tokenKind },
      userId,
    );
  }

  async recordHealth(userId: string, actor = 'system'): Promise<ConnectionTestResult | null> {
    const result = await this.test(userId);
    if (!result || !result.conclusive) return result;
    await this.deps.commands.handle(
      vkAccount,
      vkAccountStream(userId),
      {
        type: 'RecordVkHealth',
        userId,
        healthy: result.ok,
        reason: result.ok ? null : result.message,
      },
      { actor },
    );
    return result;
  }
}

function asConnectionError(error: unknown, field: string): ConnectionError {
  if (error instanceof VkRefusal)
    return new ConnectionError(`vk_${error.errorCode}`, error.message, field);
  throw error;
}
