import type { Decider } from '../shared/decider.js';

/** The link between an EvoSync user and a VK community, stream `vk-account-{userId}`. */
export interface VkConnection {
  vkUserId: number | null;
  vkUserName: string | null;
  groupId: number;
  groupName: string;
  tokenCiphertext: string;
  tokenFingerprint: string;
  /** user tokens (OAuth login) are limited to 3 requests/s, community tokens to 20 */
  tokenKind: 'user' | 'community';
}

export type VkAccountEvent =
  | { type: 'VkCommunityConnected'; data: { userId: string } & VkConnection }
  | { type: 'VkDisconnected'; data: { userId: string } }
  | { type: 'VkHealthChanged'; data: { userId: string; healthy: boolean; reason: string | null } };

export type VkAccountCommand =
  | ({ type: 'ConnectVkCommunity'; userId: string } & VkConnection)
  | { type: 'DisconnectVk'; userId: string }
  | { type: 'RecordVkHealth'; userId: string; healthy: boolean; reason: string | null };

export interface VkAccountState {
  connection: VkConnection | null;
  healthy: boolean | null;
}

export const vkAccountStream = (userId: string) => `vk-account-${userId}`;

export const vkAccount: Decider<VkAccountCommand, VkAccountEvent, VkAccountState> = {
  initialState: () => ({ connection: null, healthy: null }),

  evolve(state, event) {
    switch (event.type) {
      case 'VkCommunityConnected': {
        const { userId: _userId, ...connection } = event.data;
        return { connection, healthy: null };
      }
      case 'VkDisconnected':
        return { connection: null, healthy: null };
      case 'VkHealthChanged':
        return { ...state, healthy: event.data.healthy };
      default: {
        const _never: never = event;
        return _never;
      }
    }
  },

  decide(command, state) {
    switch (command.type) {
      case 'ConnectVkCommunity': {
        const { type: _type, userId, ...connection } = command;
        const current = state.connection;
        if (
          current &&
          current.groupId === connection.groupId &&
          current.tokenFingerprint === connection.tokenFingerprint
        ) {
          return [];
        }
        return [{ type: 'VkCommunityConnected', data: { userId, ...connection } }];
      }
      case 'DisconnectVk':
        if (!state.connection) return [];
        return [{ type: 'VkDisconnected', data: { userId: command.userId } }];
      case 'RecordVkHealth':
        if (!state.connection || state.healthy === command.healthy) return [];
        return [
          {
            type: 'VkHealthChanged',
            data: { userId: command.userId, healthy: command.healthy, reason: command.reason },
          },
        ];
      default: {
        const _never: never = command;
        return _never;
      }
    }
  },
};
