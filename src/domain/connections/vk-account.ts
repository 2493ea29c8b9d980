import type { Decider } from '../shared/decider.js';

/**
 * A VK ID sign-in: its access token expires (about an hour) and is renewed with the refresh
 * token, which VK ID binds to the device id of the sign-in and accepts once.
 */
export interface VkIdGrant {
  refreshCiphertext: string;
  deviceId: string;
  /** when the access token stops working (ISO time) */
  expiresAt: string;
}

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
  /** only for a VK ID sign-in; an oauth.vk.com or pasted token does not expire */
  vkId?: VkIdGrant;
}

export interface VkTokenRenewal {
  /** the access token renewed: a renewal recorded over another one is ignored */
  previousFingerprint: string;
  tokenCiphertext: string;
  tokenFingerprint: string;
  vkId: VkIdGrant;
}

export type VkAccountEvent =
  | { type: 'VkCommunityConnected'; data: { userId: string } & VkConnection }
  | { type: 'VkDisconnected'; data: { userId: string } }
  | {
      type: 'VkHealthChanged';
      data: {
        userId: string;
        healthy: boolean;
        reason: string | null;
        /** VK ID refused the refresh token: only connecting again helps */
        reconnectNeeded?: boolean;
      };
    }
  | { type: 'VkTokenRefreshed'; data: { userId: string } & VkTokenRenewal };

export type VkAccountCommand =
  | ({ type: 'ConnectVkCommunity'; userId: string } & VkConnection)
  | { type: 'DisconnectVk'; userId: string }
  | { type: 'RecordVkHealth'; userId: string; healthy: boolean; reason: string | null }
  | ({ type: 'RecordVkTokenRefresh'; userId: string } & VkTokenRenewal)
  | { type: 'RecordVkRefreshRefused'; userId: string; reason: string };

export interface VkAccountState {
  connection: VkConnection | null;
  healthy: boolean | null;
  /** set by a refused VK ID refresh, cleared by connecting again */
  reconnectNeeded: boolean;
}

export const vkAccountStream = (userId: string) => `vk-account-${userId}`;

export const vkAccount: Decider<VkAccountCommand, VkAccountEvent, VkAccountState> = {
  initialState: () => ({ connection: null, healthy: null, reconnectNeeded: false }),

  evolve(state, event) {
    switch (event.type) {
      case 'VkCommunityConnected': {
        const { userId: _userId, ...connection } = event.data;
        return { connection, healthy: null, reconnectNeeded: false };
      }
      case 'VkDisconnected':
        return { connection: null, healthy: null, reconnectNeeded: false };
      case 'VkHealthChanged':
        return {
          ...state,
          healthy: event.data.healthy,
          reconnectNeeded: state.reconnectNeeded || event.data.reconnectNeeded === true,
        };
      case 'VkTokenRefreshed': {
        if (!state.connection) return state;
        const { tokenCiphertext, tokenFingerprint, vkId } = event.data;
        return {
          ...state,
          connection: { ...state.connection, tokenCiphertext, tokenFingerprint, vkId },
        };
      }
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
        // A check that finds the last access token still working does not undo a refused
        // refresh: that token dies within the hour and nothing can renew it.
        if (command.healthy && state.reconnectNeeded) return [];
        return [
          {
            type: 'VkHealthChanged',
            data: { userId: command.userId, healthy: command.healthy, reason: command.reason },
          },
        ];
      case 'RecordVkTokenRefresh': {
        const { type: _type, userId, ...renewal } = command;
        const current = state.connection;
        // Another renewal or a new connection came first: this one renews a token no longer held.
        if (!current?.vkId || current.tokenFingerprint !== renewal.previousFingerprint) return [];
        return [{ type: 'VkTokenRefreshed', data: { userId, ...renewal } }];
      }
      case 'RecordVkRefreshRefused':
        if (!state.connection?.vkId || state.reconnectNeeded) return [];
        return [
          {
            type: 'VkHealthChanged',
            data: {
              userId: command.userId,
              healthy: false,
              reason: command.reason,
              reconnectNeeded: true,
            },
          },
        ];
      default: {
        const _never: never = command;
        return _never;
      }
    }
  },
};
