import { setTimeout as wait } from 'node:timers/promises';
import {
  vkAccount,
  vkAccountStream,
  type VkAccountState,
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
/**
 * A token handed out is reused this long without reading the stream again: a push asks before
 * every request (three a second), and the stream gains a renewal every forty minutes.
 */
const REUSE_MS = 30_000;

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

/** A token handed out, with the time (ms) it stops working; null expiry: it does not. */
interface Held {
  token: string;
  expiresAt: number | null;
  /** VK ID did not answer a renewal: use this token a while before asking VK ID again */
  renewLater?: boolean;
}

/**
 * The access token of a user's VK connection, renewed before it expires. VK ID accepts a
 * refresh token once, so two renewals for one user must never overlap: a renewal holds the
 * user's mutex (MariaDB, shared by the web and every worker), reads the connection again under
 * it, and records the new pair before letting go; whoever waited then takes that pair.
 */
export class VkTokens {
  private readonly recent = new Map<string, Held & { until: number }>();

  constructor(private readonly deps: Deps) {}

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  private load(userId: string): Promise<VkAccountState> {
    return loadState(this.deps.store, vkAccount, vkAccountStream(userId));
  }

  private fresh(expiresAt: number | null): boolean {
    return expiresAt === null || expiresAt - this.now() > REFRESH_MARGIN_MS;
  }

  private usable(held: Held): boolean {
    if (held.renewLater) return held.expiresAt === null || held.expiresAt > this.now();
    return this.fresh(held.expiresAt);
  }

  /** The stored token when it needs no renewal (none, or VK ID refused the last one: throws). */
  private async stored(userId: string, state: VkAccountState): Promise<Held | 'renew' | null> {
    const { connection } = state;
    if (!connection) return null;
    if (connection.vkId && state.reconnectNeeded) throw new VkReconnectNeeded();
    const expiresAt = connection.vkId ? Date.parse(connection.vkId.expiresAt) : null;
    if (!this.fresh(expiresAt)) return 'renew';
    return { token: await this.deps.cipher.decrypt(userId, connection.tokenCiphertext), expiresAt };
  }

  /**
   * The token for a VK request now; null when no community is connected. `reuse`: a VK ID
   * token handed out in the last 30 s will do (the sync's requests; a check reads the stream). Throws
   * VkReconnectNeeded when VK ID refused the refresh token, and a VkRefusal (`unavailable`)
   * when VK ID did not answer and the token in hand has expired.
   */
  async accessToken(userId: string, options: { reuse?: boolean } = {}): Promise<string | null> {
    const recent = this.recent.get(userId);
    if (options.reuse && recent && recent.until > Date.now() && this.usable(recent))
      return recent.token;
    const found = await this.stored(userId, await this.load(userId));
    const held = found === 'renew' ? await this.renew(userId) : found;
    if (held?.expiresAt) this.recent.set(userId, { ...held, until: Date.now() + REUSE_MS });
    else this.recent.delete(userId);
    return held?.token ?? null;
  }

  private async renew(userId: string): Promise<Held | null> {
    const giveUpAt = Date.now() + RENEWAL_WAIT_MS;
    for (;;) {
      const locked = await this.deps.mutex.tryWithLock(`vk-token:${userId}`, () =>
        this.renewHoldingLock(userId),
      );
      if (locked.acquired) return locked.value;
      // Another process is renewing: its pair is ours as soon as it is recorded.
      await wait(RENEWAL_POLL_MS);
      const found = await this.stored(userId, await this.load(userId));
      if (found !== 'renew') return found;
      if (Date.now() > giveUpAt)
        throw new VkRefusal('vk', 'unavailable', 'VK ID не ответил вовремя. Повторите позже.');
    }
  }

  private async renewHoldingLock(userId: string): Promise<Held | null> {
    const { cipher, commands, settings } = this.deps;
    // Read again under the lock: a renewal may have been recorded since the caller looked.
    const state = await this.load(userId);
    const found = await this.stored(userId, state);
    const { connection } = state;
    if (found !== 'renew' || !connection?.vkId) return found === 'renew' ? null : found;
    const grant = connection.vkId;

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
      const expiresAt = Date.parse(grant.expiresAt);
      if (expiresAt > this.now())
        return {
          token: await cipher.decrypt(userId, connection.tokenCiphertext),
          expiresAt,
          renewLater: true,
        };
      throw error;
    }
    const expiresAt = this.now() + pair.expiresIn * 1000;
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
          expiresAt: new Date(expiresAt).toISOString(),
        },
      },
      meta,
    );
    return { token: pair.accessToken, expiresAt };
  }
}
