import { describe, expect, it } from 'vitest';
import { CommandHandler } from '../../src/application/commands/command-handler.js';
import { evotorAccount, evotorAccountStream } from '../../src/domain/connections/evotor-account.js';
import {
  vkAccount,
  vkAccountStream,
  type VkConnection,
} from '../../src/domain/connections/vk-account.js';
import { DomainError, fold } from '../../src/domain/shared/decider.js';
import { MemoryEventStore } from '../../src/infrastructure/eventstore/memory/memory-event-store.js';

const ctx = { now: new Date('2026-11-01T00:00:00Z'), newId: () => 'id' };

describe('Evotor account', () => {
  const linked = [
    {
      type: 'EvotorAccountLinked' as const,
      data: { userId: 'u1', evotorUserId: '01-0001', via: 'webhook' as const },
    },
  ];

  it('given a link to the same Evotor user, when linked again, then nothing happens', () => {
    const state = fold(evotorAccount, linked);
    expect(
      evotorAccount.decide(
        { type: 'LinkEvotorAccount', userId: 'u1', evotorUserId: '01-0001', via: 'webhook' },
        state,
        ctx,
      ),
    ).toEqual([]);
  });

  it('given a link, when another Evotor user links, then it is refused', () => {
    const state = fold(evotorAccount, linked);
    expect(() =>
      evotorAccount.decide(
        { type: 'LinkEvotorAccount', userId: 'u1', evotorUserId: '01-0002', via: 'webhook' },
        state,
        ctx,
      ),
    ).toThrow(DomainError);
  });

  it('records a token once per fingerprint, and health only when it changes', () => {
    const withToken = [
      ...linked,
      {
        type: 'EvotorTokenReceived' as const,
        data: { userId: 'u1', tokenCiphertext: 'c1', tokenFingerprint: 'f1' },
      },
    ];
    const state = fold(evotorAccount, withToken);
    expect(
      evotorAccount.decide(
        { type: 'ReceiveEvotorToken', userId: 'u1', tokenCiphertext: 'c2', tokenFingerprint: 'f1' },
        state,
        ctx,
      ),
    ).toEqual([]);
    expect(
      evotorAccount.decide(
        { type: 'ReceiveEvotorToken', userId: 'u1', tokenCiphertext: 'c3', tokenFingerprint: 'f2' },
        state,
        ctx,
      ),
    ).toHaveLength(1);
    const unhealthy = evotorAccount.decide(
      { type: 'RecordEvotorHealth', userId: 'u1', healthy: false, reason: '401' },
      state,
      ctx,
    );
    expect(unhealthy).toEqual([
      { type: 'EvotorHealthChanged', data: { userId: 'u1', healthy: false, reason: '401' } },
    ]);
    const after = fold(evotorAccount, [...withToken, ...unhealthy]);
    expect(
      evotorAccount.decide(
        { type: 'RecordEvotorHealth', userId: 'u1', healthy: false, reason: '401' },
        after,
        ctx,
      ),
    ).toEqual([]);
  });

  it('runs through the command handler: a webhook delivered twice appends once', async () => {
    const store = new MemoryEventStore();
    const handler = new CommandHandler(store);
    const command = {
      type: 'ReceiveEvotorToken' as const,
      userId: 'u9',
      tokenCiphertext: 'c',
      tokenFingerprint: 'f',
    };
    await handler.handle(evotorAccount, evotorAccountStream('u9'), command, { actor: 'evotor' });
    await handler.handle(evotorAccount, evotorAccountStream('u9'), command, { actor: 'evotor' });
    expect((await store.readStream('evotor-account-u9')).map((e) => e.type)).toEqual([
      'EvotorTokenReceived',
    ]);
  });
});

describe('VK account', () => {
  const connection: VkConnection = {
    vkUserId: 1,
    vkUserName: 'Иван Петров',
    groupId: 100,
    groupName: 'Магазин у дома',
    tokenCiphertext: 'c',
    tokenFingerprint: 'f',
    tokenKind: 'user',
  };

  it('connects, ignores the same connection again, and disconnects once', async () => {
    const store = new MemoryEventStore();
    const handler = new CommandHandler(store);
    const stream = vkAccountStream('u1');
    await handler.handle(
      vkAccount,
      stream,
      { type: 'ConnectVkCommunity', userId: 'u1', ...connection },
      { actor: 'u1' },
    );
    await handler.handle(
      vkAccount,
      stream,
      { type: 'ConnectVkCommunity', userId: 'u1', ...connection },
      { actor: 'u1' },
    );
    await handler.handle(
      vkAccount,
      stream,
      { type: 'ConnectVkCommunity', userId: 'u1', ...connection, groupId: 200 },
      { actor: 'u1' },
    );
    await handler.handle(
      vkAccount,
      stream,
      { type: 'DisconnectVk', userId: 'u1' },
      { actor: 'u1' },
    );
    await handler.handle(
      vkAccount,
      stream,
      { type: 'DisconnectVk', userId: 'u1' },
      { actor: 'u1' },
    );
    expect((await store.readStream(stream)).map((e) => e.type)).toEqual([
      'VkCommunityConnected',
      'VkCommunityConnected',
      'VkDisconnected',
    ]);
  });

  it('records health only for a connected community and only on change', () => {
    expect(
      vkAccount.decide(
        { type: 'RecordVkHealth', userId: 'u1', healthy: false, reason: 'x' },
        vkAccount.initialState(),
        ctx,
      ),
    ).toEqual([]);
    const state = fold(vkAccount, [
      { type: 'VkCommunityConnected', data: { userId: 'u1', ...connection } },
    ]);
    expect(
      vkAccount.decide(
        { type: 'RecordVkHealth', userId: 'u1', healthy: true, reason: null },
        state,
        ctx,
      ),
    ).toHaveLength(1);
  });
});
