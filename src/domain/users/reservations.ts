import { DomainError, type Decider, type DomainEvent } from '../shared/decider.js';

/**
 * Cross-stream rules guarded by small streams of their own, appended with the revision read
 * (`no_stream` the first time), so two concurrent registrations of one email cannot both win.
 */
export type EmailReservationEvent =
  | DomainEvent<'EmailReserved', { userId: string }>
  | DomainEvent<'EmailReleased', { userId: string }>;

export type EmailReservationCommand =
  { type: 'ReserveEmail'; userId: string } | { type: 'ReleaseEmail'; userId: string };

export interface EmailReservationState {
  holder: string | null;
}

export const emailReservationStreamId = (emailHash: string) => `email-${emailHash}`;

export const emailReservationDecider: Decider<
  EmailReservationCommand,
  EmailReservationEvent,
  EmailReservationState
> = {
  initialState: () => ({ holder: null }),
  evolve: (state, event) => {
    switch (event.type) {
      case 'EmailReserved':
        return { holder: event.data.userId };
      case 'EmailReleased':
        return { holder: state.holder === event.data.userId ? null : state.holder };
      default: {
        const _never: never = event;
        return _never;
      }
    }
  },
  decide: (command, state) => {
    switch (command.type) {
      case 'ReserveEmail':
        if (state.holder === command.userId) return [];
        if (state.holder)
          throw new DomainError('email_taken', 'Этот email уже зарегистрирован.', 'email');
        return [{ type: 'EmailReserved', data: { userId: command.userId } }];
      case 'ReleaseEmail':
        if (state.holder !== command.userId) return [];
        return [{ type: 'EmailReleased', data: { userId: command.userId } }];
      default: {
        const _never: never = command;
        return _never;
      }
    }
  },
};

/** The set of active system accounts: the last one cannot be removed, demoted or suspended. */
export type SystemAccountsEvent =
  | DomainEvent<'SystemAccountGranted', { userId: string }>
  | DomainEvent<'SystemAccountRevoked', { userId: string }>;

export type SystemAccountsCommand =
  { type: 'GrantSystemAccount'; userId: string } | { type: 'RevokeSystemAccount'; userId: string };

export const SYSTEM_ACCOUNTS_STREAM = 'system-accounts';

export const systemAccountsDecider: Decider<
  SystemAccountsCommand,
  SystemAccountsEvent,
  { holders: string[] }
> = {
  initialState: () => ({ holders: [] }),
  evolve: (state, event) => {
    switch (event.type) {
      case 'SystemAccountGranted':
        return {
          holders: [...state.holders.filter((h) => h !== event.data.userId), event.data.userId],
        };
      case 'SystemAccountRevoked':
        return { holders: state.holders.filter((h) => h !== event.data.userId) };
      default: {
        const _never: never = event;
        return _never;
      }
    }
  },
  decide: (command, state) => {
    switch (command.type) {
      case 'GrantSystemAccount':
        if (state.holders.includes(command.userId)) return [];
        return [{ type: 'SystemAccountGranted', data: { userId: command.userId } }];
      case 'RevokeSystemAccount':
        if (!state.holders.includes(command.userId)) return [];
        if (state.holders.length === 1)
          throw new DomainError(
            'last_system_account',
            'Это последняя системная учётная запись: её нельзя удалить, понизить или заблокировать.',
          );
        return [{ type: 'SystemAccountRevoked', data: { userId: command.userId } }];
      default: {
        const _never: never = command;
        return _never;
      }
    }
  },
};
