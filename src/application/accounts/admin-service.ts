import { DomainError } from '../../domain/shared/decider.js';
import { SYSTEM_ROLE } from '../../domain/roles/permissions.js';
import type { UserState } from '../../domain/users/state.js';
import type { AccountsContext } from './context.js';
import { AccountError } from './errors.js';
import { passwordProblem } from './password-policy.js';
import { emailHash, normalizeEmail } from './secrets.js';
import { deleteAccount, sendReset } from './self-service.js';

export interface Actor {
  userId: string;
  roles: string[];
}

export interface ProfileChanges {
  email?: string;
  name?: string | null;
  phone?: string | null;
}

/**
 * Profile edits by the owner or an admin: only changed fields become an event (ciphertexts
 * differ on every encryption, so the comparison happens here, on plaintext).
 */
export async function editProfile(
  ctx: AccountsContext,
  actor: string,
  userId: string,
  changes: ProfileChanges,
): Promise<void> {
  const state = await ctx.load(userId);
  if (!state.exists || state.deleted)
    throw new AccountError('not_found', 'Пользователь не найден.');
  const current = await ctx.profile(state);
  const meta = { actor, correlationId: ctx.newId() };
  const command: Parameters<typeof ctx.user>[1] & { type: 'EditProfile' } = { type: 'EditProfile' };
  const norm = (v: string | null | undefined) => (v?.trim() ? v.trim() : null);
  if (changes.name !== undefined && norm(changes.name) !== current.name)
    command.name = await ctx.encryptOptional(userId, norm(changes.name));
  if (changes.phone !== undefined && norm(changes.phone) !== current.phone)
    command.phone = await ctx.encryptOptional(userId, norm(changes.phone));
  const newEmail = changes.email ? normalizeEmail(changes.email) : null;
  const emailChanged = newEmail !== null && newEmail !== current.email;
  if (emailChanged) {
    await ctx.reserveEmail(newEmail, userId, meta);
    command.email = await ctx.encrypt(userId, newEmail);
    command.emailHash = emailHash(newEmail);
  }
  const position = await ctx.user(userId, command, meta);
  if (emailChanged && state.emailHash) await ctx.releaseEmail(state.emailHash, userId, meta);
  await ctx.waitFor(position);
}

/** What admins do to other accounts. Every event carries the admin as its actor. */
export class AdminUsersService {
  constructor(private readonly ctx: AccountsContext) {}

  /** Only a system account may change, suspend or delete a system account or grant the role. */
  private async target(actor: Actor, userId: string, roles?: string[]): Promise<UserState> {
    const state = await this.ctx.load(userId);
    if (!state.exists || state.deleted)
      throw new AccountError('not_found', 'Пользователь не найден.');
    const touchesSystem = state.roles.includes(SYSTEM_ROLE) || roles?.includes(SYSTEM_ROLE);
    if (touchesSystem && !actor.roles.includes(SYSTEM_ROLE))
      throw new AccountError('forbidden', 'Системные учётные записи меняет только система.');
    return state;
  }

  private meta(actor: Actor) {
    return { actor: actor.userId, correlationId: this.ctx.newId() };
  }

  async activate(actor: Actor, userId: string): Promise<void> {
    const state = await this.target(actor, userId);
    const meta = this.meta(actor);
    const position = await this.ctx.user(userId, { type: 'ActivateUser' }, meta);
    if (state.roles.includes(SYSTEM_ROLE)) await this.ctx.grantSystem(userId, meta);
    await this.ctx.waitFor(position);
  }

  async suspend(actor: Actor, userId: string): Promise<void> {
    if (actor.userId === userId)
      throw new AccountError('forbidden', 'Нельзя заблокировать самого себя.');
    const state = await this.target(actor, userId);
    const meta = this.meta(actor);
    if (state.roles.includes(SYSTEM_ROLE)) await this.ctx.revokeSystem(userId, meta);
    await this.ctx.waitFor(await this.ctx.user(userId, { type: 'SuspendUser' }, meta));
  }

  async resetPassword(actor: Actor, userId: string): Promise<void> {
    const state = await this.target(actor, userId);
    if (!state.passwordHash)
      throw new AccountError('not_active', 'Пользователь ещё не принял приглашение.');
    await this.ctx.waitFor(await sendReset(this.ctx, state, actor.userId, true));
  }

  /** Invites a new address, or renews the link of someone who has not accepted yet. */
  async invite(
    actor: Actor,
    input: { email: string; name?: string | null; role: string },
  ): Promise<string> {
    const ctx = this.ctx;
    const email = normalizeEmail(input.email);
    const existing = await ctx.userIdByEmail(email);
    const userId = existing ?? ctx.newId();
    if (existing) await this.target(actor, existing, [input.role]);
    else if (input.role === SYSTEM_ROLE && !actor.roles.includes(SYSTEM_ROLE))
      throw new AccountError('forbidden', 'Системные учётные записи меняет только система.');
    const meta = this.meta(actor);
    if (!existing) await ctx.reserveEmail(email, userId, meta);
    const hours = ctx.deps.settings.inviteExpireHours;
    const { token, grant } = ctx.grant(hours);
    const position = await ctx.user(
      userId,
      {
        type: 'InviteUser',
        userId,
        email: await ctx.encrypt(userId, email),
        emailHash: emailHash(email),
        name: await ctx.encryptOptional(userId, input.name?.trim()),
        roles: [input.role],
        invitation: grant,
      },
      meta,
    );
    await ctx.deps.mailer.send({
      to: email,
      subject: 'EvoSync: приглашение',
      text: `Вас пригласили в EvoSync. Задайте пароль по ссылке (действует ${hours} ч.):\n${ctx.link('/invite', userId, token)}\n`,
    });
    await ctx.waitFor(position);
    return userId;
  }

  async resendInvite(actor: Actor, userId: string): Promise<void> {
    const state = await this.target(actor, userId);
    if (state.passwordHash)
      throw new DomainError('already_registered', 'Пользователь уже зарегистрирован.');
    const profile = await this.ctx.profile(state);
    await this.invite(actor, {
      email: profile.email,
      name: profile.name,
      role: state.roles[0] ?? 'user',
    });
  }

  async edit(
    actor: Actor,
    userId: string,
    changes: ProfileChanges & { role?: string },
  ): Promise<void> {
    const state = await this.target(actor, userId, changes.role ? [changes.role] : undefined);
    await editProfile(this.ctx, actor.userId, userId, changes);
    if (changes.role && !(state.roles.length === 1 && state.roles[0] === changes.role)) {
      const meta = this.meta(actor);
      const wasSystem = state.roles.includes(SYSTEM_ROLE);
      const becomesSystem = changes.role === SYSTEM_ROLE;
      if (wasSystem && !becomesSystem) await this.ctx.revokeSystem(userId, meta);
      const position = await this.ctx.user(
        userId,
        { type: 'ChangeRoles', roles: [changes.role] },
        meta,
      );
      if (becomesSystem && state.status === 'active') await this.ctx.grantSystem(userId, meta);
      await this.ctx.waitFor(position);
    }
  }

  async delete(actor: Actor, userId: string): Promise<void> {
    if (actor.userId === userId)
      throw new AccountError('forbidden', 'Свою учётную запись удаляют в профиле.');
    await this.target(actor, userId);
    await deleteAccount(this.ctx, userId, actor.userId);
  }

  /** `evosync admin create`: the first system account, active without a confirmation. */
  async createSystemAccount(email: string, password: string): Promise<string> {
    const problem = passwordProblem(password);
    if (problem) throw new AccountError('weak_password', problem, 'password');
    const ctx = this.ctx;
    const normalized = normalizeEmail(email);
    const userId = ctx.newId();
    const meta = { actor: 'system', correlationId: ctx.newId() };
    await ctx.reserveEmail(normalized, userId, meta);
    const position = await ctx.user(
      userId,
      {
        type: 'RegisterUser',
        userId,
        email: await ctx.encrypt(userId, normalized),
        emailHash: emailHash(normalized),
        name: null,
        passwordHash: await ctx.encrypt(userId, await ctx.deps.hasher.hash(password)),
        roles: [SYSTEM_ROLE],
        status: 'active',
        confirmation: null,
      },
      meta,
    );
    await ctx.grantSystem(userId, meta);
    await ctx.waitFor(position);
    return userId;
  }
}
