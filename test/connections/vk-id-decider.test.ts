import { describe, it } from 'vitest';
import { vkAccount, type VkAccountEvent } from '../../src/domain/connections/vk-account.js';
import { deciderSpec } from '../domain/decider-spec.js';

const spec = deciderSpec(vkAccount);
const grant = { refreshCiphertext: 'enc-r1', deviceId: 'dev-1', expiresAt: '2025-03-01T11:00:00Z' };
const connected: VkAccountEvent = {
  type: 'VkCommunityConnected',
  data: {
    userId: 'u1',
    vkUserId: 9,
    vkUserName: 'Ольга Котова',
    groupId: 42,
    groupName: 'Лавка',
    tokenCiphertext: 'enc-a1',
    tokenFingerprint: 'fp-a1',
    tokenKind: 'user',
    vkId: grant,
  },
};
const renewal = {
  previousFingerprint: 'fp-a1',
  tokenCiphertext: 'enc-a2',
  tokenFingerprint: 'fp-a2',
  vkId: { ...grant, refreshCiphertext: 'enc-r2', expiresAt: '2025-03-01T12:00:00Z' },
};
const refused: VkAccountEvent = {
  type: 'VkHealthChanged',
  data: { userId: 'u1', healthy: false, reason: 'нужно переподключить VK', reconnectNeeded: true },
};

describe('VK ID renewals on the VK account', () => {
  it('given a VK ID connection, when a renewal of its token is recorded, then it is', () => {
    spec([connected])
      .when({ type: 'RecordVkTokenRefresh', userId: 'u1', ...renewal })
      .then([{ type: 'VkTokenRefreshed', data: { userId: 'u1', ...renewal } }]);
  });

  it('given a renewal already recorded, when another renewal of the old token comes, then nothing', () => {
    spec([connected, { type: 'VkTokenRefreshed', data: { userId: 'u1', ...renewal } }])
      .when({ type: 'RecordVkTokenRefresh', userId: 'u1', ...renewal, tokenFingerprint: 'fp-x' })
      .then([]);
  });

  it('given a pasted token (no VK ID), when a refused renewal is recorded, then nothing', () => {
    const { vkId: _vkId, ...pasted } = (
      connected as Extract<VkAccountEvent, { type: 'VkCommunityConnected' }>
    ).data;
    spec([{ type: 'VkCommunityConnected', data: pasted }])
      .when({ type: 'RecordVkRefreshRefused', userId: 'u1', reason: 'x' })
      .then([]);
  });

  it('given a refused renewal, when it is refused again, then nothing (one health event)', () => {
    spec([connected, refused])
      .when({ type: 'RecordVkRefreshRefused', userId: 'u1', reason: 'нужно переподключить VK' })
      .then([]);
  });

  it('given a refused renewal, when a check finds the last token working, then it stays red', () => {
    spec([connected, refused])
      .when({ type: 'RecordVkHealth', userId: 'u1', healthy: true, reason: null })
      .then([]);
  });

  it('given a refused renewal and a new sign-in, when a check finds it working, then green', () => {
    const again: VkAccountEvent = {
      ...connected,
      data: { ...connected.data, tokenFingerprint: 'fp-b1' },
    } as VkAccountEvent;
    spec([connected, refused, again])
      .when({ type: 'RecordVkHealth', userId: 'u1', healthy: true, reason: null })
      .then([{ type: 'VkHealthChanged', data: { userId: 'u1', healthy: true, reason: null } }]);
  });
});
