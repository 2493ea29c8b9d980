import { DomainError, type Decider } from '../shared/decider.js';

/**
 * One Evotor user as Evotor's cloud sees it, stream `evotor-user-{evotorUserId}`. Its first
 * registration is the reservation that keeps one Evotor user id on one EvoSync account (the
 * stream is appended with the revision read, `no_stream` the first time). Subscription and
 * installation events live here too: Evotor sends them per Evotor user, possibly before the
 * user is linked to any account.
 */
export type EvotorUserEvent =
  | {
      type: 'EvotorUserRegistered';
      data: {
        evotorUserId: string;
        userId: string;
        via: 'create' | 'verify';
        /** keyed hash of the /user/create body: a repeated delivery has the same one */
        requestFingerprint: string;
        /** sha256 of EvoSync's API token given to Evotor; the token itself is never stored */
        apiTokenHash: string;
      };
    }
  | {
      type: 'EvotorSubscriptionChanged';
      data: {
        evotorUserId: string;
        subscriptionId: string;
        productId: string;
        type: string;
        planId: string | null;
        sequenceNumber: number;
        timestamp: number;
        trialPeriodDuration: string | null;
        deviceNumber: number | null;
      };
    }
  | {
      type: 'EvotorAppInstalled' | 'EvotorAppUninstalled';
      data: { evotorUserId: string; eventId: string; productId: string; timestamp: number };
    };

export type EvotorUserCommand =
  | {
      type: 'RegisterEvotorUser';
      evotorUserId: string;
      userId: string;
      via: 'create' | 'verify';
      requestFingerprint: string;
      apiTokenHash: string;
    }
  | {
      type: 'RecordSubscriptionEvent';
      event: Extract<EvotorUserEvent, { type: 'EvotorSubscriptionChanged' }>['data'];
    }
  | {
      type: 'RecordInstallationEvent';
      kind: 'ApplicationInstalled' | 'ApplicationUninstalled';
      evotorUserId: string;
      eventId: string;
      productId: string;
      timestamp: number;
    };

export interface EvotorUserState {
  userId: string | null;
  requestFingerprint: string | null;
  apiTokenHash: string | null;
  /** the highest sequenceNumber seen per subscription */
  sequences: Record<string, number>;
  subscription: { id: string; type: string; planId: string | null } | null;
  installed: boolean | null;
  installationEventIds: string[];
}

export const evotorUserStream = (evotorUserId: string) => `evotor-user-${evotorUserId}`;

export const evotorUser: Decider<EvotorUserCommand, EvotorUserEvent, EvotorUserState> = {
  initialState: () => ({
    userId: null,
    requestFingerprint: null,
    apiTokenHash: null,
    sequences: {},
    subscription: null,
    installed: null,
    installationEventIds: [],
  }),

  evolve(state, event) {
    switch (event.type) {
      case 'EvotorUserRegistered':
        return {
          ...state,
          userId: event.data.userId,
          requestFingerprint: event.data.requestFingerprint,
          apiTokenHash: event.data.apiTokenHash,
        };
      case 'EvotorSubscriptionChanged':
        return {
          ...state,
          sequences: { ...state.sequences, [event.data.subscriptionId]: event.data.sequenceNumber },
          subscription: {
            id: event.data.subscriptionId,
            type: event.data.type,
            planId: event.data.planId,
          },
        };
      case 'EvotorAppInstalled':
      case 'EvotorAppUninstalled':
        return {
          ...state,
          installed: event.type === 'EvotorAppInstalled',
          installationEventIds: [...state.installationEventIds, event.data.eventId],
        };
      default: {
        const _never: never = event;
        return _never;
      }
    }
  },

  decide(command, state): EvotorUserEvent[] {
    switch (command.type) {
      case 'RegisterEvotorUser': {
        const { type: _type, ...data } = command;
        if (state.userId === null) return [{ type: 'EvotorUserRegistered', data }];
        // The same delivery again (create: same body; verify: same account) changes nothing.
        const same =
          command.via === 'create'
            ? state.requestFingerprint === command.requestFingerprint
            : state.userId === command.userId;
        if (same) return [];
        throw new DomainError(
          'evotor_user_registered',
          'Этот пользователь Эвотор уже привязан к другой учётной записи EvoSync',
        );
      }
      case 'RecordSubscriptionEvent': {
        const data = command.event;
        const last = state.sequences[data.subscriptionId];
        // Evotor may deliver out of order: an older (or the same) number is stale.
        if (last !== undefined && data.sequenceNumber <= last) return [];
        return [{ type: 'EvotorSubscriptionChanged', data }];
      }
      case 'RecordInstallationEvent': {
        if (state.installationEventIds.includes(command.eventId)) return [];
        return [
          {
            type:
              command.kind === 'ApplicationInstalled'
                ? 'EvotorAppInstalled'
                : 'EvotorAppUninstalled',
            data: {
              evotorUserId: command.evotorUserId,
              eventId: command.eventId,
              productId: command.productId,
              timestamp: command.timestamp,
            },
          },
        ];
      }
      default: {
        const _never: never = command;
        return _never;
      }
    }
  },
};
