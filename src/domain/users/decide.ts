import { DomainError, type DecideContext, type Decider } from '../shared/decider.js';
import type { Encrypted, TokenGrant, UserEvent, UserStatus } from './events.js';
import { evolveUser, initialUserState, type UserState } from './state.js';
import { DEFAULT_OWNER_TIME_ZONE, ownerTimeZone, TIME_ZONE_REFUSED } from './time-zones.js';

/** Values arrive already encrypted and hashed: `decide` stays pure and never sees plaintext. */
export type UserCommand =
  | {
      type: 'RegisterUser';
      userId: string;
      email: Encrypted;
      emailHash: string;
      name: Encrypted | null;
      passwordHash: Encrypted;
      roles: string[];
      status: UserStatus;
      confirmation: TokenGrant | null;
    }
  | { type: 'RequestConfirmation'; grant: TokenGrant }
  | { type: 'ConfirmEmail'; tokenHash: string }
  | { type: 'RecordLogin' }
  | { type: 'ActivateUser' }
  | { type: 'SuspendUser' }
  | {
      type: 'EditProfile';
      name?: Encrypted | null;
      phone?: Encrypted | null;
      email?: Encrypted;
      emailHash?: string;
    }
  | { type: 'ChangePassword'; passwordHash: Encrypted }
  | { type: 'RequestPasswordReset'; grant: TokenGrant; byAdmin: boolean }
  | { type: 'ResetPassword'; tokenHash: string; passwordHash: Encrypted }
  | {
      type: 'InviteUser';
      userId: string;
      email: Encrypted;
      emailHash: string;
      name: Encrypted | null;
      roles: string[];
      invitation: TokenGrant;
    }
  | { type: 'AcceptInvite'; tokenHash: string; passwordHash: Encrypted }
  | { type: 'ChangeRoles'; roles: string[] }
  | { type: 'ChangeTimeZone'; timeZone: string }
  | { type: 'DeleteUser' };

const INVALID_LINK = 'Ссылка недействительна или уже использована.';
const EXPIRED_LINK = 'Срок действия ссылки истёк. Запросите новую.';

function requireLive(state: UserState): string {
  if (!state.exists || state.deleted || !state.userId)
    throw new DomainError('user_not_found', 'Пользователь не найден.');
  return state.userId;
}

/** A token is good once: it must match the outstanding grant and not be past its expiry. */
function checkToken(grant: TokenGrant | null, tokenHash: string, now: Date): void {
  if (!grant || grant.tokenHash !== tokenHash) throw new DomainError('token_invalid', INVALID_LINK);
  if (new Date(grant.expiresAt).getTime() < now.getTime())
    throw new DomainError('token_expired', EXPIRED_LINK);
}

const sameSet = (a: string[], b: string[]) =>
  a.length === b.length && [...a].sort().join() === [...b].sort().join();

export function decideUser(
  command: UserCommand,
  state: UserState,
  ctx: DecideContext,
): UserEvent[] {
  switch (command.type) {
    case 'RegisterUser': {
      if (state.exists) {
        if (state.userId === command.userId && !state.deleted) return [];
        throw new DomainError('user_exists', 'Такой пользователь уже есть.');
      }
      const { type: _t, ...data } = command;
      return [
        {
          type: 'UserRegistered',
          data: { ...data, emailConfirmed: command.status === 'active' },
        },
      ];
    }
    case 'RequestConfirmation':
      requireLive(state);
      if (state.emailConfirmed) return [];
      return [{ type: 'UserConfirmationRequested', data: command.grant }];
    case 'ConfirmEmail': {
      const userId = requireLive(state);
      checkToken(state.confirmation, command.tokenHash, ctx.now);
      return [{ type: 'UserEmailConfirmed', data: { userId } }];
    }
    case 'RecordLogin': {
      const userId = requireLive(state);
      if (state.status !== 'active')
        throw new DomainError('not_active', 'Учётная запись не активна.');
      return [{ type: 'UserLoggedIn', data: { userId } }];
    }
    case 'ActivateUser': {
      const userId = requireLive(state);
      if (state.status === 'active') return [];
      return [{ type: 'UserActivated', data: { userId } }];
    }
    case 'SuspendUser': {
      const userId = requireLive(state);
      if (state.status === 'suspended') return [];
      return [{ type: 'UserSuspended', data: { userId } }];
    }
    case 'EditProfile': {
      const userId = requireLive(state);
      const { type: _t, ...changes } = command;
      const defined = Object.fromEntries(
        Object.entries(changes).filter(([, v]) => v !== undefined),
      );
      if (Object.keys(defined).length === 0) return [];
      return [{ type: 'UserProfileEdited', data: { userId, ...defined } }];
    }
    case 'ChangePassword': {
      const userId = requireLive(state);
      return [
        {
          type: 'UserPasswordChanged',
          data: { userId, passwordHash: command.passwordHash, reason: 'change' },
        },
      ];
    }
    case 'RequestPasswordReset': {
      const userId = requireLive(state);
      return [
        {
          type: 'UserPasswordResetRequested',
          data: { userId, ...command.grant, byAdmin: command.byAdmin },
        },
      ];
    }
    case 'ResetPassword': {
      const userId = requireLive(state);
      checkToken(state.reset, command.tokenHash, ctx.now);
      return [
        {
          type: 'UserPasswordChanged',
          data: { userId, passwordHash: command.passwordHash, reason: 'reset' },
        },
      ];
    }
    case 'InviteUser': {
      if (state.deleted) throw new DomainError('user_deleted', 'Учётная запись удалена.');
      // Re-inviting someone who has not accepted yet renews the link; an active account is not
      // invited again.
      if (state.exists && state.passwordHash)
        throw new DomainError('already_registered', 'Пользователь уже зарегистрирован.', 'email');
      const { type: _t, ...data } = command;
      return [{ type: 'UserInvited', data }];
    }
    case 'AcceptInvite': {
      const userId = requireLive(state);
      checkToken(state.invitation, command.tokenHash, ctx.now);
      return [{ type: 'UserInviteAccepted', data: { userId, passwordHash: command.passwordHash } }];
    }
    case 'ChangeRoles': {
      const userId = requireLive(state);
      if (command.roles.length === 0)
        throw new DomainError('no_roles', 'Нужна хотя бы одна роль.', 'role');
      if (sameSet(command.roles, state.roles)) return [];
      return [{ type: 'UserRolesChanged', data: { userId, roles: command.roles } }];
    }
    case 'ChangeTimeZone': {
      const userId = requireLive(state);
      if (!ownerTimeZone(command.timeZone))
        throw new DomainError('time_zone_unknown', TIME_ZONE_REFUSED, 'timeZone');
      if (command.timeZone === (state.timeZone ?? DEFAULT_OWNER_TIME_ZONE)) return [];
      return [{ type: 'UserTimeZoneChanged', data: { userId, timeZone: command.timeZone } }];
    }
    case 'DeleteUser': {
      if (state.deleted) return [];
      const userId = requireLive(state);
      return [{ type: 'UserDeleted', data: { userId, emailHash: state.emailHash ?? '' } }];
    }
    default: {
      const _never: never = command;
      return _never;
    }
  }
}

export const userDecider: Decider<UserCommand, UserEvent, UserState> = {
  initialState: initialUserState,
  evolve: evolveUser,
  decide: decideUser,
};
