import { evotorAccount, evotorAccountStream } from '../../domain/connections/evotor-account.js';
import { vkAccount, vkAccountStream } from '../../domain/connections/vk-account.js';
import type { EventStore } from '../ports/event-store.js';
import type { PersonalDataCipher } from '../ports/personal-data-cipher.js';
import { VkReconnectNeeded, type VkTokens } from '../connections/vk-tokens.js';
import { ConnectionAuthError, type UserConnections } from './ports.js';
import type { CommandHandler } from '../commands/command-handler.js';
import { loadState } from '../commands/load-state.js';

/**
 * The user's connections with their tokens decrypted, read from the account streams. Given
 * `vkTokens`, a VK ID connection comes with `accessToken`, which renews the token before it
 * expires; VK ID refusing the renewal is a refused token, as VK's error 5 is.
 */
export async function loadConnections(
  store: EventStore,
  cipher: PersonalDataCipher,
  userId: string,
  vkTokens?: Pick<VkTokens, 'accessToken'>,
): Promise<UserConnections> {
  const [evotor, vk] = await Promise.all([
    loadState(store, evotorAccount, evotorAccountStream(userId)),
    loadState(store, vkAccount, vkAccountStream(userId)),
  ]);
  return {
    evotor: evotor.tokenCiphertext
      ? { token: await cipher.decrypt(userId, evotor.tokenCiphertext) }
      : null,
    vk: vk.connection
      ? {
          token: await cipher.decrypt(userId, vk.connection.tokenCiphertext),
          groupId: vk.connection.groupId,
          tokenKind: vk.connection.tokenKind,
          ...(vkTokens && vk.connection.vkId
            ? { accessToken: () => renewedToken(vkTokens, userId) }
            : {}),
        }
      : null,
  };
}

async function renewedToken(vkTokens: Pick<VkTokens, 'accessToken'>, userId: string) {
  try {
    const token = await vkTokens.accessToken(userId, { reuse: true });
    if (token === null) throw new ConnectionAuthError('vk', 'VK отключён.');
    return token;
  } catch (error) {
    if (error instanceof VkReconnectNeeded) throw new ConnectionAuthError('vk', error.message);
    throw error;
  }
}

/**
 * True while VK's last word on the user's token was a refusal (error 5 in a job, or a
 * conclusive connection check). VK work waits until the owner connects again
 * (`VkCommunityConnected` clears it) or a connection check finds the token working.
 */
export async function vkTokenRefused(store: EventStore, userId: string): Promise<boolean> {
  return (await loadState(store, vkAccount, vkAccountStream(userId))).healthy === false;
}

/**
 * Records a refused token as the connection's health at once. The deciders append only on a
 * change, so a job meeting the same refusal again writes nothing.
 */
export async function recordTokenRefused(
  commands: CommandHandler,
  userId: string,
  error: ConnectionAuthError,
  correlationId: string,
): Promise<void> {
  const meta = { actor: 'system', correlationId };
  const reason = error.message;
  if (error.service === 'vk') {
    await commands.handle(
      vkAccount,
      vkAccountStream(userId),
      { type: 'RecordVkHealth', userId, healthy: false, reason },
      meta,
    );
  } else {
    await commands.handle(
      evotorAccount,
      evotorAccountStream(userId),
      { type: 'RecordEvotorHealth', userId, healthy: false, reason },
      meta,
    );
  }
}
