import { randomUUID } from 'node:crypto';
import type { CommandHandler, CommandMetadata } from '../commands/command-handler.js';
import type { EventStore, Position } from '../ports/event-store.js';
import type { Mailer } from '../ports/mail.js';
import type { PasswordHasher } from '../ports/password-hasher.js';
import type { PersonalDataCipher } from '../ports/personal-data-cipher.js';
import type { ReadModelWaiter } from '../ports/read-model-waiter.js';
import { userDecider, type UserCommand } from '../../domain/users/decide.js';
import { userStreamId } from '../../domain/users/events.js';
import {
  emailReservationDecider,
  emailReservationStreamId,
  SYSTEM_ACCOUNTS_STREAM,
  systemAccountsDecider,
} from '../../domain/users/reservations.js';
import type { UserState } from '../../domain/users/state.js';
import { emailHash, newToken } from './secrets.js';
import { loadState } from '../commands/load-state.js';

export interface AccountsSettings {
  baseUrl: string;
  inviteExpireHours: number;
  confirmExpireHours: number;
  resetExpireMinutes: number;
}

export interface AccountsDeps {
  store: EventStore;
  commands: CommandHandler;
  cipher: PersonalDataCipher;
  hasher: PasswordHasher;
  mailer: Mailer;
  readModel: ReadModelWaiter;
  settings: AccountsSettings;
  clock?: () => Date;
  newId?: () => string;
}

export interface UserProfile {
  userId: string;
  email: string;
  name: string | null;
  phone: string | null;
}

/** Shared plumbing of the account use cases: loading users, issuing commands, tokens. */
export class AccountsContext {
  readonly now: () => Date;
  readonly newId: () => string;

  constructor(readonly deps: AccountsDeps) {
    this.now = deps.clock ?? (() => new Date());
    this.newId = deps.newId ?? randomUUID;
  }

  async load(userId: string): Promise<UserState> {
    return loadState(this.deps.store, userDecider, userStreamId(userId));
  }

  /** The user holding this email, from the reservation stream (never stale, unlike a table). */
  async userIdByEmail(email: string): Promise<string | null> {
    return (
      await loadState(
        this.deps.store,
        emailReservationDecider,
        emailReservationStreamId(emailHash(email)),
      )
    ).holder;
  }

  async systemAccounts(): Promise<string[]> {
    return (await loadState(this.deps.store, systemAccountsDecider, SYSTEM_ACCOUNTS_STREAM))
      .holders;
  }

  async user(
    userId: string,
    command: UserCommand,
    meta: CommandMetadata,
  ): Promise<Position | null> {
    const result = await this.deps.commands.handle(
      userDecider,
      userStreamId(userId),
      command,
      meta,
    );
    return result.position;
  }

  async reserveEmail(email: string, userId: string, meta: CommandMetadata): Promise<void> {
    await this.deps.commands.handle(
      emailReservationDecider,
      emailReservationStreamId(emailHash(email)),
      { type: 'ReserveEmail', userId },
      meta,
    );
  }

  async releaseEmail(hash: string, userId: string, meta: CommandMetadata): Promise<void> {
    await this.deps.commands.handle(
      emailReservationDecider,
      emailReservationStreamId(hash),
      { type: 'ReleaseEmail', userId },
      meta,
    );
  }

  async grantSystem(userId: string, meta: CommandMetadata): Promise<void> {
    await this.deps.commands.handle(
      systemAccountsDecider,
      SYSTEM_ACCOUNTS_STREAM,
      { type: 'GrantSystemAccount', userId },
      meta,
    );
  }

  /** throws DomainError('last_system_account') when userId is the last one */
  async revokeSystem(userId: string, meta: CommandMetadata): Promise<void> {
    await this.deps.commands.handle(
      systemAccountsDecider,
      SYSTEM_ACCOUNTS_STREAM,
      { type: 'RevokeSystemAccount', userId },
      meta,
    );
  }

  encrypt(userId: string, value: string): Promise<string> {
    return this.deps.cipher.encrypt(userId, value);
  }

  async encryptOptional(userId: string, value: string | null | undefined): Promise<string | null> {
    return value ? this.deps.cipher.encrypt(userId, value) : null;
  }

  async profile(state: UserState): Promise<UserProfile> {
    const userId = state.userId!;
    const dec = (v: string | null) => (v ? this.deps.cipher.decrypt(userId, v) : null);
    return {
      userId,
      email: (await dec(state.email)) ?? '',
      name: await dec(state.name),
      phone: await dec(state.phone),
    };
  }

  grant(hours: number) {
    const { token, tokenHash } = newToken();
    const expiresAt = new Date(this.now().getTime() + hours * 3_600_000).toISOString();
    return { token, grant: { tokenHash, expiresAt } };
  }

  link(path: string, userId: string, token: string): string {
    return `${this.deps.settings.baseUrl}${path}?user=${encodeURIComponent(userId)}&token=${encodeURIComponent(token)}`;
  }

  /** user pages read the `users` projection */
  waitFor(position: Position | null): Promise<void> {
    return this.deps.readModel.waitFor(position, ['users']);
  }
}
