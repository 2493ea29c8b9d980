import type { CommandHandler } from '../../src/application/commands/command-handler.js';
import type { PersonalDataCipher } from '../../src/application/ports/personal-data-cipher.js';
import { evotorAccount, evotorAccountStream } from '../../src/domain/connections/evotor-account.js';
import {
  vkAccount,
  vkAccountStream,
  type VkConnection,
} from '../../src/domain/connections/vk-account.js';
import { syncConfigDecider } from '../../src/domain/sync-config/decide.js';
import { syncConfigStream } from '../../src/domain/sync-config/events.js';
import { userDecider } from '../../src/domain/users/decide.js';
import { userStreamId } from '../../src/domain/users/events.js';

/*
 * What a shop owner does in the web before a sync (register, link Evotor, connect VK, confirm), as
 * commands: for tests and the benches (no vitest here, so bench/ can import it).
 */

/** How a secret becomes its stored fingerprint; callers keep their own (it shows in their data). */
export type Fingerprint = (secret: string) => string;

interface Common {
  fingerprint: Fingerprint;
  /** the metadata's actor; the user by default */
  actor?: string;
}

/** An active account (no confirmation pending) with the email `<userId>@example.com`. */
export async function registerShopOwner(
  commands: CommandHandler,
  cipher: PersonalDataCipher,
  userId: string,
  {
    fingerprint,
    roles = ['user'],
    passwordHash = 'not-a-real-hash',
    actor = userId,
  }: Common & { roles?: string[]; passwordHash?: string },
): Promise<void> {
  const email = `${userId}@example.com`;
  await commands.handle(
    userDecider,
    userStreamId(userId),
    {
      type: 'RegisterUser',
      userId,
      email: await cipher.encrypt(userId, email),
      emailHash: fingerprint(email),
      name: null,
      passwordHash: await cipher.encrypt(userId, passwordHash),
      roles,
      status: 'active',
      confirmation: null,
    },
    { actor },
  );
}

/** The Evotor token arriving for the user (what the Evotor webhook does). */
export async function receiveEvotorToken(
  commands: CommandHandler,
  cipher: PersonalDataCipher,
  userId: string,
  { token, fingerprint, actor = userId }: Common & { token: string },
): Promise<void> {
  await commands.handle(
    evotorAccount,
    evotorAccountStream(userId),
    {
      type: 'ReceiveEvotorToken',
      userId,
      tokenCiphertext: await cipher.encrypt(userId, token),
      tokenFingerprint: fingerprint(token),
    },
    { actor },
  );
}

/** Links the Evotor account by hand, then receives its token. */
export async function linkEvotor(
  commands: CommandHandler,
  cipher: PersonalDataCipher,
  userId: string,
  options: Common & { evotorUserId: string; token: string },
): Promise<void> {
  const { evotorUserId, actor = userId } = options;
  await commands.handle(
    evotorAccount,
    evotorAccountStream(userId),
    { type: 'LinkEvotorAccount', userId, evotorUserId, via: 'manual' },
    { actor },
  );
  await receiveEvotorToken(commands, cipher, userId, options);
}

/** Connects a VK community; by default with a user token of the test VK user 501. */
export async function connectVk(
  commands: CommandHandler,
  cipher: PersonalDataCipher,
  userId: string,
  {
    token,
    groupId,
    fingerprint,
    actor = userId,
    tokenKind = 'user',
    vkUserId = 501,
    vkUserName = 'Тест Тестов',
    groupName = 'Тестовый магазин',
  }: Common & { token: string; groupId: number } & Partial<
      Pick<VkConnection, 'tokenKind' | 'vkUserId' | 'vkUserName' | 'groupName'>
    >,
): Promise<void> {
  await commands.handle(
    vkAccount,
    vkAccountStream(userId),
    {
      type: 'ConnectVkCommunity',
      userId,
      vkUserId,
      vkUserName,
      groupId,
      groupName,
      tokenCiphertext: await cipher.encrypt(userId, token),
      tokenFingerprint: fingerprint(token),
      tokenKind,
    },
    { actor },
  );
}

/** The owner switches the sync on and confirms it for these stores. */
export async function enableAndConfirmSync(
  commands: CommandHandler,
  userId: string,
  storeIds: string[],
  actor = userId,
): Promise<void> {
  await commands.handleMany(
    syncConfigDecider,
    syncConfigStream(userId),
    [
      { type: 'EnableSync', userId },
      { type: 'ConfirmSync', userId, storeIds },
    ],
    { actor },
  );
}
