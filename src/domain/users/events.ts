import type { DomainEvent } from '../shared/decider.js';

/**
 * Personal data and secrets travel in events only as ciphertext made with the owner's key
 * (see the PersonalDataCipher port), so destroying that key leaves nothing readable. Token
 * values never appear at all: only their SHA-256 hashes.
 */
export type Encrypted = string;

export type UserStatus = 'pending' | 'active' | 'suspended';

export interface TokenGrant {
  tokenHash: string;
  /** ISO-8601 */
  expiresAt: string;
}

export type UserEvent =
  | DomainEvent<
      'UserRegistered',
      {
        userId: string;
        email: Encrypted;
        emailHash: string;
        name: Encrypted | null;
        passwordHash: Encrypted;
        roles: string[];
        status: UserStatus;
        emailConfirmed: boolean;
        /** null when the account needs no confirmation (created by the CLI) */
        confirmation: TokenGrant | null;
      }
    >
  | DomainEvent<'UserConfirmationRequested', TokenGrant>
  | DomainEvent<'UserEmailConfirmed', { userId: string }>
  | DomainEvent<'UserLoggedIn', { userId: string }>
  | DomainEvent<'UserActivated', { userId: string }>
  | DomainEvent<'UserSuspended', { userId: string }>
  | DomainEvent<
      'UserProfileEdited',
      {
        userId: string;
        name?: Encrypted | null;
        phone?: Encrypted | null;
        email?: Encrypted;
        emailHash?: string;
      }
    >
  | DomainEvent<
      'UserPasswordChanged',
      { userId: string; passwordHash: Encrypted; reason: 'change' | 'reset' }
    >
  | DomainEvent<'UserPasswordResetRequested', TokenGrant & { userId: string; byAdmin: boolean }>
  | DomainEvent<
      'UserInvited',
      {
        userId: string;
        email: Encrypted;
        emailHash: string;
        name: Encrypted | null;
        roles: string[];
        invitation: TokenGrant;
      }
    >
  | DomainEvent<'UserInviteAccepted', { userId: string; passwordHash: Encrypted }>
  | DomainEvent<'UserRolesChanged', { userId: string; roles: string[] }>
  /** the zone the owner's pages show times in: an IANA id from OWNER_TIME_ZONES */
  | DomainEvent<'UserTimeZoneChanged', { userId: string; timeZone: string }>
  | DomainEvent<'UserDeleted', { userId: string; emailHash: string }>;

export type UserEventType = UserEvent['type'];

export const USER_EVENT_TYPES: readonly UserEventType[] = [
  'UserRegistered',
  'UserConfirmationRequested',
  'UserEmailConfirmed',
  'UserLoggedIn',
  'UserActivated',
  'UserSuspended',
  'UserProfileEdited',
  'UserPasswordChanged',
  'UserPasswordResetRequested',
  'UserInvited',
  'UserInviteAccepted',
  'UserRolesChanged',
  'UserTimeZoneChanged',
  'UserDeleted',
];

/** Fields of user events that hold ciphertext or secrets: the audit log drops them. */
export const USER_SECRET_FIELDS = [
  'email',
  'name',
  'phone',
  'passwordHash',
  'tokenHash',
  'confirmation',
  'invitation',
] as const;

export const userStreamId = (userId: string) => `user-${userId}`;
