import {
  evotorAccount,
  evotorAccountStream,
  type EvotorAccountEvent,
} from '../../domain/connections/evotor-account.js';
import {
  vkAccount,
  vkAccountStream,
  type VkAccountEvent,
} from '../../domain/connections/vk-account.js';
import { fold, type DomainEvent } from '../../domain/shared/decider.js';
import type { EventStore } from '../ports/event-store.js';
import type { PersonalDataCipher } from '../ports/personal-data-cipher.js';
import type { UserConnections } from './ports.js';

/** The user's connections with their tokens decrypted, read from the account streams. */
export async function loadConnections(
  store: EventStore,
  cipher: PersonalDataCipher,
  userId: string,
): Promise<UserConnections> {
  const [evotorEvents, vkEvents] = await Promise.all([
    store.readStream(evotorAccountStream(userId)),
    store.readStream(vkAccountStream(userId)),
  ]);
  const evotor = fold(evotorAccount, asDomainEvents<EvotorAccountEvent>(evotorEvents));
  const vk = fold(vkAccount, asDomainEvents<VkAccountEvent>(vkEvents));
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

/** Recorded events as domain events (type and data only) for folding. */
export function asDomainEvents<E extends DomainEvent>(
  events: Array<{ type: string; data: unknown }>,
): E[] {
  return events.map((e) => ({ type: e.type, data: e.data }) as E);
}
