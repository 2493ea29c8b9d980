import { randomUUID } from 'node:crypto';
import type { Accounts } from '../accounts/index.js';
import { AccountError } from '../accounts/errors.js';
import { passwordProblem } from '../accounts/password-policy.js';
import { normalizeEmail } from '../accounts/secrets.js';
import { evotorAccount, evotorAccountStream } from '../../domain/connections/evotor-account.js';
import {
  evotorUser,
  evotorUserStream,
  type EvotorUserCommand,
} from '../../domain/connections/evotor-user.js';
import { DomainError } from '../../domain/shared/decider.js';
import type { EvotorInstallationEvent, EvotorSubscriptionEvent } from './webhook-events.js';
import type { ConnectionsDeps } from './context.js';
import { evotorApiToken, requestFingerprint, sha256, tokenFingerprint } from './fingerprint.js';
import { loadState } from '../commands/load-state.js';

/** Evotor's error codes (EXTERNAL-APIS.md). */
export const EVOTOR_ERRORS = {
  badCloudToken: 1001,
  wrongCredentials: 1006,
  syntax: 2001,
  missingField: 2002,
  badValue: 2003,
  alreadyRegistered: 2005,
} as const;

/** A refusal in Evotor's envelope: `{errors: [{code, reason?, subject?}]}` with this status. */
export class WebhookError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    readonly reason?: string,
    readonly subject?: string,
  ) {
    super(reason ?? `Evotor webhook error ${code}`);
    this.name = 'WebhookError';
  }
}

const ACTOR = 'evotor';
const alreadyRegistered = (reason: string) =>
  new WebhookError(409, EVOTOR_ERRORS.alreadyRegistered, reason);

export interface UserCreateInput {
  userId: string;
  email: string;
  password: string;
  name?: string | undefined;
  [field: string]: unknown;
}

/**
 * The Evotor webhooks as commands. Evotor retries a delivery for days until it gets a 200, so
 * each one is idempotent: the same delivery writes nothing new and gets the same answer.
 */
export class EvotorWebhooks {
  constructor(
    private readonly deps: ConnectionsDeps,
    private readonly accounts: Accounts,
  ) {}

  private async evotorUserState(evotorUserId: string) {
    return loadState(this.deps.store, evotorUser, evotorUserStream(evotorUserId));
  }

  private apiToken(evotorUserId: string) {
    return evotorApiToken(this.deps.settings.SECRET_KEY, evotorUserId);
  }

  private async evotorUserCommand(evotorUserId: string, command: EvotorUserCommand, key?: string) {
    try {
      return await this.deps.commands.handle(evotorUser, evotorUserStream(evotorUserId), command, {
        actor: ACTOR,
        ...(key ? { idempotencyKey: key } : {}),
      });
    } catch (error) {
      if (error instanceof DomainError) throw alreadyRegistered(error.message);
      throw error;
    }
  }

  /** `/user/create`: a new EvoSync account for this Evotor user, and its API token. */
  async createUser(input: UserCreateInput): Promise<{ userId: string; token: string }> {
    const { SECRET_KEY } = this.deps.settings;
    const evotorUserId = input.userId;
    const fingerprint = requestFingerprint(SECRET_KEY, input);
    const existing = await this.evotorUserState(evotorUserId);
    if (existing.userId !== null && existing.requestFingerprint !== fingerprint)
      throw alreadyRegistered('userId is already registered');
    if (existing.userId === null) {
      const problem = passwordProblem(input.password);
      if (problem) throw new WebhookError(400, EVOTOR_ERRORS.badValue, problem, 'password');
      const holder = await this.accounts.context.userIdByEmail(input.email);
      if (holder) throw alreadyRegistered('email is already registered');
    }
    const token = this.apiToken(evotorUserId);
    // The reservation comes first: a concurrent or repeated delivery finds it and reuses its id.
    await this.evotorUserCommand(evotorUserId, {
      type: 'RegisterEvotorUser',
      evotorUserId,
      userId: randomUUID(),
      via: 'create',
      requestFingerprint: fingerprint,
      apiTokenHash: sha256(token),
    });
    const userId = (await this.evotorUserState(evotorUserId)).userId!;
    // Each step is idempotent, so a delivery after a crash finishes what the first one began.
    await this.registerAccount(userId, input);
    await this.link(userId, evotorUserId);
    return { userId: evotorUserId, token };
  }

  private async registerAccount(userId: string, input: UserCreateInput): Promise<void> {
    const ctx = this.accounts.context;
    const email = normalizeEmail(input.email);
    const meta = { actor: userId };
    try {
      await ctx.reserveEmail(email, userId, meta);
    } catch (error) {
      if (error instanceof DomainError) throw alreadyRegistered('email is already registered');
      throw error;
    }
    // Like a registration on the site: the owner confirms the address before signing in.
    await this.accounts.self.recordRegistration(
      userId,
      email,
      input,
      meta,
      'Учётная запись EvoSync создана из Эвотор. ',
    );
  }

  private async link(userId: string, evotorUserId: string): Promise<void> {
    try {
      await this.deps.commands.handle(
        evotorAccount,
        evotorAccountStream(userId),
        { type: 'LinkEvotorAccount', userId, evotorUserId, via: 'webhook' },
        { actor: ACTOR },
      );
    } catch (error) {
      if (error instanceof DomainError) throw alreadyRegistered(error.message);
      throw error;
    }
  }

  /** `/user/verify`: an existing EvoSync account signs in from Evotor and gets linked. */
  async verifyUser(input: {
    userId: string;
    login: string;
    password: string;
  }): Promise<{ userId: string; token: string }> {
    let userId: string;
    try {
      userId = await this.accounts.self.authenticate(input.login, input.password);
    } catch (error) {
      if (error instanceof AccountError)
        throw new WebhookError(401, EVOTOR_ERRORS.wrongCredentials, error.message);
      throw error;
    }
    const token = this.apiToken(input.userId);
    await this.evotorUserCommand(input.userId, {
      type: 'RegisterEvotorUser',
      evotorUserId: input.userId,
      userId,
      via: 'verify',
      requestFingerprint: requestFingerprint(this.deps.settings.SECRET_KEY, { userId }),
      apiTokenHash: sha256(token),
    });
    await this.link(userId, input.userId);
    return { userId: input.userId, token };
  }

  /** `/user/token`: Evotor's access token for this user, stored encrypted. */
  async receiveToken(input: { userId: string; token: string }): Promise<void> {
    const { userId } = await this.evotorUserState(input.userId);
    if (!userId) throw new WebhookError(400, EVOTOR_ERRORS.badValue, 'unknown userId', 'userId');
    const { cipher, commands, settings } = this.deps;
    try {
      await commands.handleMany(
        evotorAccount,
        evotorAccountStream(userId),
        [
          // A token after a manual disconnect means the app is in use again: link anew.
          { type: 'LinkEvotorAccount', userId, evotorUserId: input.userId, via: 'webhook' },
          {
            type: 'ReceiveEvotorToken',
            userId,
            tokenCiphertext: await cipher.encrypt(userId, input.token),
            tokenFingerprint: tokenFingerprint(settings.SECRET_KEY, input.token),
          },
        ],
        { actor: ACTOR },
      );
    } catch (error) {
      if (error instanceof DomainError) throw alreadyRegistered(error.message);
      throw error;
    }
  }

  /** Stale (older sequenceNumber) and repeated events are accepted and change nothing. */
  async subscriptionEvent(
    event: Omit<EvotorSubscriptionEvent, 'planId'> & { planId: string | null },
  ): Promise<void> {
    await this.evotorUserCommand(
      event.userId,
      {
        type: 'RecordSubscriptionEvent',
        event: {
          evotorUserId: event.userId,
          subscriptionId: event.subscriptionId,
          productId: event.productId,
          type: event.type,
          planId: event.planId ?? null,
          sequenceNumber: event.sequenceNumber,
          timestamp: event.timestamp,
          trialPeriodDuration: event.trialPeriodDuration ?? null,
          deviceNumber: event.deviceNumber ?? null,
        },
      },
      `evotor-subscription:${event.subscriptionId}:${event.sequenceNumber}`,
    );
  }

  async installationEvent(event: EvotorInstallationEvent): Promise<void> {
    await this.evotorUserCommand(
      event.data.userId,
      {
        type: 'RecordInstallationEvent',
        kind: event.type,
        evotorUserId: event.data.userId,
        eventId: event.id,
        productId: event.data.productId,
        timestamp: event.timestamp,
      },
      `evotor-installation:${event.id}`,
    );
  }
}
