import type { CommandMetadata } from '../commands/command-handler.js';
import type { Position } from '../ports/event-store.js';
import { DomainError } from '../../domain/shared/decider.js';
import type { UserState } from '../../domain/users/state.js';
import { SYSTEM_ROLE } from '../../domain/roles/permissions.js';
import type { AccountsContext, UserProfile } from './context.js';
import { AccountError } from './errors.js';
import { passwordProblem } from './password-policy.js';
import { emailHash, hashToken, normalizeEmail } from './secrets.js';

/** What a person does with their own account. Each method returns once the read models caught up. */
export class SelfService {
  // Compared against when the email is unknown, so a miss costs as long as a wrong password.
  private dummyHash: Promise<string> | null = null;

  constructor(private readonly ctx: AccountsContext) {}

  async register(input: {
    email: string;
    password: string;
    name?: string | null;
  }): Promise<string> {
    const problem = passwordProblem(input.password);
    if (problem) throw new AccountError('weak_password', problem, 'password');
    const ctx = this.ctx;
    const email = normalizeEmail(input.email);
    const userId = ctx.newId();
    const meta = { actor: userId, correlationId: ctx.newId() };
    await ctx.reserveEmail(email, userId, meta);
    await this.recordRegistration(userId, email, input, meta);
    return userId;
  }

  /**
   * Records a pending account (role `user`) for an email already reserved for `userId`, and
   * mails the confirmation link (`intro` opens the letter). A repeat for an account already
   * recorded changes nothing and sends nothing. Shared by the site's registration and Evotor's
   * `/user/create`.
   */
  async recordRegistration(
    userId: string,
    email: string,
    input: { password: string; name?: string | null },
    meta: CommandMetadata,
    intro = '',
  ): Promise<void> {
    const ctx = this.ctx;
    const { token, grant } = ctx.grant(ctx.deps.settings.confirmExpireHours);
    const position = await ctx.user(
      userId,
      {
        type: 'RegisterUser',
        userId,
        email: await ctx.encrypt(userId, email),
        emailHash: emailHash(email),
        name: await ctx.encryptOptional(userId, input.name?.trim()),
        passwordHash: await ctx.encrypt(userId, await ctx.deps.hasher.hash(input.password)),
        roles: ['user'],
        status: 'pending',
        confirmation: grant,
      },
      meta,
    );
    if (!position) return;
    await this.sendConfirmation(email, userId, token, intro);
    await ctx.waitFor(position);
  }

  private sendConfirmation(email: string, userId: string, token: string, intro = '') {
    return this.ctx.deps.mailer.send({
      to: email,
      subject: 'EvoSync: подтвердите email',
      text: `${intro}Чтобы подтвердить адрес, откройте ссылку:\n${this.ctx.link('/confirm-email', userId, token)}\n`,
    });
  }

  async confirmEmail(userId: string, token: string): Promise<void> {
    const position = await this.ctx.user(
      userId,
      { type: 'ConfirmEmail', tokenHash: hashToken(token) },
      { actor: userId },
    );
    await this.ctx.waitFor(position);
  }

  /** Says nothing about whether the address exists: the page shows the same text either way. */
  async resendConfirmation(email: string): Promise<void> {
    const userId = await this.ctx.userIdByEmail(email);
    if (!userId) return;
    const state = await this.ctx.load(userId);
    if (!state.exists || state.deleted || state.emailConfirmed || !state.passwordHash) return;
    const { token, grant } = this.ctx.grant(this.ctx.deps.settings.confirmExpireHours);
    await this.ctx.user(userId, { type: 'RequestConfirmation', grant }, { actor: userId });
    await this.sendConfirmation(normalizeEmail(email), userId, token);
  }

  async authenticate(email: string, password: string): Promise<string> {
    const ctx = this.ctx;
    const userId = await ctx.userIdByEmail(email);
    const state = userId ? await ctx.load(userId) : null;
    const stored =
      state?.passwordHash && userId
        ? await ctx.deps.cipher.decrypt(userId, state.passwordHash)
        : null;
    this.dummyHash ??= ctx.deps.hasher.hash('not-a-password-0');
    const ok = await ctx.deps.hasher.verify(password, stored ?? (await this.dummyHash));
    if (!ok || !state || !userId)
      throw new AccountError('invalid_credentials', 'Неверный email или пароль.');
    if (state.status === 'suspended')
      throw new AccountError(
        'suspended',
        'Учётная запись заблокирована. Обратитесь к администратору.',
      );
    if (!state.emailConfirmed)
      throw new AccountError(
        'unconfirmed',
        'Email ещё не подтверждён. Откройте ссылку из письма или запросите новое письмо.',
      );
    if (state.status !== 'active')
      throw new AccountError('not_active', 'Учётная запись ещё не активирована администратором.');
    const position = await ctx.user(userId, { type: 'RecordLogin' }, { actor: userId });
    await ctx.waitFor(position);
    return userId;
  }

  async requestPasswordReset(email: string): Promise<void> {
    const userId = await this.ctx.userIdByEmail(email);
    if (!userId) return;
    const state = await this.ctx.load(userId);
    if (!state.passwordHash || state.deleted) return;
    await sendReset(this.ctx, state, userId, false);
  }

  async resetPassword(userId: string, token: string, password: string): Promise<void> {
    const problem = passwordProblem(password);
    if (problem) throw new AccountError('weak_password', problem, 'password');
    const ctx = this.ctx;
    // The token is checked before the (slow) hashing, so a bad link fails fast.
    const state = await ctx.load(userId);
    if (!state.reset || state.reset.tokenHash !== hashToken(token))
      throw new DomainError('token_invalid', 'Ссылка недействительна или уже использована.');
    const passwordHash = await ctx.encrypt(userId, await ctx.deps.hasher.hash(password));
    const position = await ctx.user(
      userId,
      { type: 'ResetPassword', tokenHash: hashToken(token), passwordHash },
      { actor: userId },
    );
    await ctx.waitFor(position);
  }

  async acceptInvite(userId: string, token: string, password: string): Promise<void> {
    const problem = passwordProblem(password);
    if (problem) throw new AccountError('weak_password', problem, 'password');
    const ctx = this.ctx;
    const state = await ctx.load(userId);
    if (!state.invitation || state.invitation.tokenHash !== hashToken(token))
      throw new DomainError('token_invalid', 'Ссылка недействительна или уже использована.');
    const passwordHash = await ctx.encrypt(userId, await ctx.deps.hasher.hash(password));
    const meta = { actor: userId, correlationId: ctx.newId() };
    const position = await ctx.user(
      userId,
      { type: 'AcceptInvite', tokenHash: hashToken(token), passwordHash },
      meta,
    );
    if (state.roles.includes(SYSTEM_ROLE)) await ctx.grantSystem(userId, meta);
    await ctx.waitFor(position);
  }

  async invitation(userId: string): Promise<{ email: string } | null> {
    const state = await this.ctx.load(userId);
    if (!state.invitation || state.deleted) return null;
    return { email: (await this.ctx.profile(state)).email };
  }

  async profile(userId: string): Promise<UserProfile & { state: UserState }> {
    const state = await this.ctx.load(userId);
    if (!state.exists || state.deleted)
      throw new AccountError('not_found', 'Пользователь не найден.');
    return { ...(await this.ctx.profile(state)), state };
  }

  async changePassword(userId: string, current: string, next: string): Promise<void> {
    const ctx = this.ctx;
    const state = await ctx.load(userId);
    const stored = state.passwordHash
      ? await ctx.deps.cipher.decrypt(userId, state.passwordHash)
      : null;
    if (!stored || !(await ctx.deps.hasher.verify(current, stored)))
      throw new AccountError('wrong_password', 'Текущий пароль указан неверно.', 'current');
    const problem = passwordProblem(next);
    if (problem) throw new AccountError('weak_password', problem, 'password');
    const passwordHash = await ctx.encrypt(userId, await ctx.deps.hasher.hash(next));
    await ctx.waitFor(
      await ctx.user(userId, { type: 'ChangePassword', passwordHash }, { actor: userId }),
    );
  }

  /** The zone the user's pages show times in; refused (DomainError) when not one of Russia's. */
  async changeTimeZone(userId: string, timeZone: string): Promise<void> {
    const position = await this.ctx.user(
      userId,
      { type: 'ChangeTimeZone', timeZone },
      { actor: userId },
    );
    await this.ctx.waitFor(position);
  }

  async deleteOwnAccount(userId: string, password: string): Promise<void> {
    const state = await this.ctx.load(userId);
    const stored = state.passwordHash
      ? await this.ctx.deps.cipher.decrypt(userId, state.passwordHash)
      : null;
    if (!stored || !(await this.ctx.deps.hasher.verify(password, stored)))
      throw new AccountError('wrong_password', 'Пароль указан неверно.', 'password');
    await deleteAccount(this.ctx, userId, userId);
  }
}

export async function sendReset(
  ctx: AccountsContext,
  state: UserState,
  actor: string,
  byAdmin: boolean,
): Promise<Position | null> {
  const userId = state.userId!;
  const minutes = ctx.deps.settings.resetExpireMinutes;
  const { token, grant } = ctx.grant(minutes / 60);
  const position = await ctx.user(
    userId,
    { type: 'RequestPasswordReset', grant, byAdmin },
    { actor },
  );
  const { email } = await ctx.profile(state);
  await ctx.deps.mailer.send({
    to: email,
    subject: 'EvoSync: смена пароля',
    text: `Чтобы задать новый пароль, откройте ссылку (действует ${minutes} мин.):\n${ctx.link('/reset-password', userId, token)}\n`,
  });
  return position;
}

/**
 * Deletion erases: the event says only that the account is gone, the email is released, and the
 * key is destroyed, after which no earlier event of this user can be decrypted.
 */
export async function deleteAccount(
  ctx: AccountsContext,
  userId: string,
  actor: string,
): Promise<void> {
  const state = await ctx.load(userId);
  if (!state.exists || state.deleted) return;
  const meta = { actor, correlationId: ctx.newId() };
  if (state.roles.includes(SYSTEM_ROLE)) await ctx.revokeSystem(userId, meta);
  const position = await ctx.user(userId, { type: 'DeleteUser' }, meta);
  if (state.emailHash) await ctx.releaseEmail(state.emailHash, userId, meta);
  await ctx.deps.cipher.destroyKey(userId);
  await ctx.waitFor(position);
}
