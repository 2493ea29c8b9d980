import type { Encrypted, TokenGrant, UserEvent, UserStatus } from './events.js';

export interface UserState {
  exists: boolean;
  deleted: boolean;
  userId: string | null;
  status: UserStatus;
  emailConfirmed: boolean;
  email: Encrypted | null;
  emailHash: string | null;
  name: Encrypted | null;
  phone: Encrypted | null;
  passwordHash: Encrypted | null;
  roles: string[];
  /** null: the default (Moscow) */
  timeZone: string | null;
  /** the one outstanding token of each kind; cleared when used, so a link works once */
  confirmation: TokenGrant | null;
  reset: TokenGrant | null;
  invitation: TokenGrant | null;
}

export const initialUserState = (): UserState => ({
  exists: false,
  deleted: false,
  userId: null,
  status: 'pending',
  emailConfirmed: false,
  email: null,
  emailHash: null,
  name: null,
  phone: null,
  passwordHash: null,
  roles: [],
  timeZone: null,
  confirmation: null,
  reset: null,
  invitation: null,
});

export function evolveUser(state: UserState, event: UserEvent): UserState {
  switch (event.type) {
    case 'UserRegistered': {
      const d = event.data;
      return {
        ...state,
        exists: true,
        userId: d.userId,
        status: d.status,
        emailConfirmed: d.emailConfirmed,
        email: d.email,
        emailHash: d.emailHash,
        name: d.name,
        passwordHash: d.passwordHash,
        roles: d.roles,
        confirmation: d.confirmation,
      };
    }
    case 'UserConfirmationRequested':
      return { ...state, confirmation: event.data };
    case 'UserEmailConfirmed':
      return {
        ...state,
        emailConfirmed: true,
        confirmation: null,
        status: state.status === 'pending' ? 'active' : state.status,
      };
    case 'UserLoggedIn':
      return state;
    case 'UserActivated':
      return { ...state, status: 'active' };
    case 'UserSuspended':
      return { ...state, status: 'suspended' };
    case 'UserProfileEdited': {
      const d = event.data;
      return {
        ...state,
        name: d.name !== undefined ? d.name : state.name,
        phone: d.phone !== undefined ? d.phone : state.phone,
        email: d.email ?? state.email,
        emailHash: d.emailHash ?? state.emailHash,
      };
    }
    case 'UserPasswordChanged':
      return { ...state, passwordHash: event.data.passwordHash, reset: null };
    case 'UserPasswordResetRequested':
      return {
        ...state,
        reset: { tokenHash: event.data.tokenHash, expiresAt: event.data.expiresAt },
      };
    case 'UserInvited': {
      const d = event.data;
      return {
        ...state,
        exists: true,
        userId: d.userId,
        status: 'pending',
        email: d.email,
        emailHash: d.emailHash,
        name: d.name,
        roles: d.roles,
        invitation: d.invitation,
      };
    }
    case 'UserInviteAccepted':
      return {
        ...state,
        passwordHash: event.data.passwordHash,
        invitation: null,
        emailConfirmed: true,
        status: 'active',
      };
    case 'UserRolesChanged':
      return { ...state, roles: event.data.roles };
    case 'UserTimeZoneChanged':
      return { ...state, timeZone: event.data.timeZone };
    case 'UserDeleted':
      return { ...initialUserState(), exists: true, deleted: true, userId: state.userId };
    default: {
      const _never: never = event;
      return _never;
    }
  }
}
