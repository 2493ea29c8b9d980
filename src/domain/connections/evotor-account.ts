import { DomainError, type Decider } from '../shared/decider.js';

/**
 * The link between an EvoSync user and Evotor, stream `evotor-account-{userId}`. Tokens travel
 * only as ciphertext (encrypted with the user's key before the command is made), so deleting the
 * user's key leaves nothing readable in the events.
 */
export type EvotorAccountEvent =
  | {
      type: 'EvotorAccountLinked';
      data: { userId: string; evotorUserId: string; via: 'webhook' | 'manual' };
    }
  | {
      type: 'EvotorTokenReceived';
      data: { userId: string; tokenCiphertext: string; tokenFingerprint: string };
    }
  | { type: 'EvotorDisconnected'; data: { userId: string } }
  | {
      type: 'EvotorHealthChanged';
      data: { userId: string; healthy: boolean; reason: string | null };
    };

export type EvotorAccountCommand =
  | { type: 'LinkEvotorAccount'; userId: string; evotorUserId: string; via: 'webhook' | 'manual' }
  | {
      type: 'ReceiveEvotorToken';
      userId: string;
      tokenCiphertext: string;
      tokenFingerprint: string;
    }
  | { type: 'DisconnectEvotor'; userId: string }
  | { type: 'RecordEvotorHealth'; userId: string; healthy: boolean; reason: string | null };

export interface EvotorAccountState {
  evotorUserId: string | null;
  tokenCiphertext: string | null;
  tokenFingerprint: string | null;
  healthy: boolean | null;
}

export const evotorAccountStream = (userId: string) => `evotor-account-${userId}`;

export const evotorAccount: Decider<EvotorAccountCommand, EvotorAccountEvent, EvotorAccountState> =
  {
    initialState: () => ({
      evotorUserId: null,
      tokenCiphertext: null,
      tokenFingerprint: null,
      healthy: null,
    }),

    evolve(state, event) {
      switch (event.type) {
        case 'EvotorAccountLinked':
          return { ...state, evotorUserId: event.data.evotorUserId };
        case 'EvotorTokenReceived':
          return {
            ...state,
            tokenCiphertext: event.data.tokenCiphertext,
            tokenFingerprint: event.data.tokenFingerprint,
            healthy: null,
          };
        case 'EvotorDisconnected':
          return {
            evotorUserId: null,
            tokenCiphertext: null,
            tokenFingerprint: null,
            healthy: null,
          };
        case 'EvotorHealthChanged':
          return { ...state, healthy: event.data.healthy };
        default: {
          const _never: never = event;
          return _never;
        }
      }
    },

    decide(command, state) {
      switch (command.type) {
        case 'LinkEvotorAccount':
          if (state.evotorUserId === command.evotorUserId) return [];
          if (state.evotorUserId !== null) {
            throw new DomainError(
              'evotor_already_linked',
              'К этому аккаунту уже привязан другой пользователь Эвотор',
            );
          }
          return [
            {
              type: 'EvotorAccountLinked',
              data: {
                userId: command.userId,
                evotorUserId: command.evotorUserId,
                via: command.via,
              },
            },
          ];
        case 'ReceiveEvotorToken':
          // The fingerprint (a keyed hash of the plaintext) tells a repeated delivery from a new token.
          if (state.tokenFingerprint === command.tokenFingerprint) return [];
          return [
            {
              type: 'EvotorTokenReceived',
              data: {
                userId: command.userId,
                tokenCiphertext: command.tokenCiphertext,
                tokenFingerprint: command.tokenFingerprint,
              },
            },
          ];
        case 'DisconnectEvotor':
          if (state.evotorUserId === null && state.tokenCiphertext === null) return [];
          return [{ type: 'EvotorDisconnected', data: { userId: command.userId } }];
        case 'RecordEvotorHealth':
          if (state.tokenCiphertext === null || state.healthy === command.healthy) return [];
          return [
            {
              type: 'EvotorHealthChanged',
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
