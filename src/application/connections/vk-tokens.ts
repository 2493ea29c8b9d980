import { setTimeout as wait } from 'node:timers/promises';
import {
  vkAccount,
  vkAccountStream,
  type VkAccountState,
  type VkIdGrant,
} from '../../domain/connections/vk-account.js';
import { loadState } from '../commands/load-state.js';
import type { ConnectionsDeps } from './context.js';
import { tokenFingerprint } from './fingerprint.js';
import { VkRefusal } from './ports.js';

/** What the owner reads when VK ID refused the refresh token. */
export const VK_RECONNECT_REASON =
  'VK ID не продлил доступ к сообществу: нужно переподключить VK (кнопка «Войти через VK ID»).';

/**
 * Renew this long before the access token expires, so that no request leaves with a token
 * about to die; the health job (every 15 minutes) therefore renews an idle connection too.
 */
export const REFRESH_MARGIN_MS = 20 * 60_000;
/** how long a caller waits for another process's renewal before giving up for now */
const RENEWAL_WAIT_MS = 30_000;
const RENEWAL_POLL_MS = 500;

/** VK ID refused the refresh token (recorded as the connection's health): reconnect. */
export class VkReconnectNeeded extends Error {
  constructor() {
    super(VK_RECONNECT_REASON);
    this.name = 'VkReconnectNeeded';
  }
}

type Deps = Pick<
  ConnectionsDeps,
  'store' | 'commands' | 'cipher' | 'mutex' | 'vkId' | 'settings'
> & { now?: () => number };

/**
 * The access token of a user's VK connection, renewed before it expires. VK ID accepts a
 * refresh token once, so two renewals for one user must never overlap: a renewal holds the
 * user's mutex (MariaDB, shared by the web and every worker), reads the connection again under
 * it, and records the new pair before letting go; whoever waited then takes that pair.
 */
export class VkTokens {
  constructor(private readonly deps: Deps) {}

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  private load(userId: string): Promise<VkAccountState> {
    return loadState(this.deps.store, vkAccount, vkAccountStream(userId));
  }

  private fresh(grant: VkIdGrant): boolean {
    return Date.parse(grant.expiresAt) - this.now() > REFRESH_MARGIN_MS;
  }

  /**
   * The token for a VK request now; null when no community is connected. Throws
   * VkReconnectNeeded when VK ID refused the refresh token, and a VkRefusal (`unavailable`)
   * when VK ID did not answer and the token in hand has expired.
   */
  async accessToken(userId: string): Promise<string | null> {
    const state = await this.load(userId);
    const connection = state.connection;
    if (!connection) return null;
    if (connection.vkId && state.reconnectNeeded) throw new VkReconnectNeeded();
    if (!connection.vkId || this.fresh(connection.vkId))
      return this.deps.cipher.decrypt(userId, connection.tokenCiphertext);
    return this.renew(userId);
  }

  private async renew(userId: string): Promise<string | null> {
    const giveUpAt = Date.now() + RENEWAL_WAIT_MS;
    for (;;) {
      const held = await this.deps.mutex.tryWithLock(`vk-token:${userId}`, () =>
        this.renewHoldingLock(userId),
      );
      if (held.acquired) return held.value;
      // Another process is renewing: its pair is ours as soon as it is recorded.
      await wait(RENEWAL_POLL_MS);
      const { connection, reconnectNeeded } = await this.load(userId);
      if (!connection) return null;
      if (reconnectNeeded) throw new VkReconnectNeeded();
      if (!connection.vkId || this.fresh(connection.vkId))
        return this.deps.cipher.decrypt(userId, connection.tokenCiphertext);
      if (Date.now() > giveUpAt)
        throw new VkRefusal('vk', 'unavailable', 'VK ID не ответил вовремя. Повторите позже.');
    }
  }

  private async renewHoldingLock(userId: string): Promise<string | null> {
    const { cipher, commands, settings } = this.deps;
    const { connection, reconnectNeeded } = await this.load(userId);
    if (!connection) return null;
    const grant = connection.vkId;
    if (grant && reconnectNeeded) throw new VkReconnectNeeded();
    if (!grant || this.fresh(grant)) return cipher.decrypt(userId, connection.tokenCiphertext);

    const stream = vkAccountStream(userId);
    const meta = { actor: 'system' };
    let pair;
    try {
      pair = await this.deps.vkId.refresh({
        refreshToken: await cipher.decrypt(userId, grant.refreshCiphertext),
        deviceId: grant.deviceId,
        userId,
      });
    } catch (error) {
      if (!(error instanceof VkRefusal)) throw error;
      if (error.kind === 'oauth') {
        await commands.handle(
          vkAccount,
          stream,
          { type: 'RecordVkRefreshRefused', userId, reason: VK_RECONNECT_REASON },
          meta,
        );
        throw new VkReconnectNeeded();
      }
      // VK ID did not answer: the token in hand serves until it expires; the next use retries.
      if (Date.parse(grant.expiresAt) > this.now())
        return cipher.decrypt(userId, connection.tokenCiphertext);
      throw error;
    }
    await commands.handle(
      vkAccount,
      stream,
      {
        type: 'RecordVkTokenRefresh',
        userId,
        previousFingerprint: connection.tokenFingerprint,
        tokenCiphertext: await cipher.encrypt(userId, pair.accessToken),
        tokenFingerprint: tokenFingerprint(settings.SECRET_KEY, pair.accessToken),
        vkId: {
          refreshCiphertext: await cipher.encrypt(userId, pair.refreshToken),
          deviceId: grant.deviceId,
          expiresAt: new Date(this.now() + pair.expiresIn * 1000).toISOString(),
        },
      },
      meta,
    );
    return pair.accessToken;
  }
}
