import { evotorAccount, evotorAccountStream } from '../../domain/connections/evotor-account.js';
import { vkAccount, vkAccountStream } from '../../domain/connections/vk-account.js';
import type { EventStore } from '../ports/event-store.js';
import type { PersonalDataCipher } from '../ports/personal-data-cipher.js';
import type { UserConnections } from './ports.js';
import { loadState } from '../commands/load-state.js';

/** The user's connections with their tokens decrypted, read from the account streams. */
export async function loadConnections(
  store: EventStore,
  cipher: PersonalDataCipher,
  userId: string,
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
        }
      : null,
  };
}
