import { describe, expect, it } from 'vitest';
import { DomainError, fold, type DecideContext } from '../../src/domain/shared/decider.js';
import { roleDecider } from '../../src/domain/roles/decide.js';
import { userDecider, type UserCommand } from '../../src/domain/users/decide.js';
import type { UserEvent } from '../../src/domain/users/events.js';
import {
  emailReservationDecider,
  systemAccountsDecider,
} from '../../src/domain/users/reservations.js';
import { AesGcmCipher } from '../../src/infrastructure/crypto/aes-gcm-cipher.js';
import { MemoryKeyStore } from '../../src/infrastructure/crypto/key-store.js';
import { KeyDestroyedError } from '../../src/application/ports/personal-data-cipher.js';
import { redactEventData } from '../../projections/audit-log/index.js';
import { userRegistered } from './user-fixtures.js';

const now = new Date('2026-01-10T12:00:00Z');
const ctx: DecideContext = { now, newId: () => 'id-1' };
const grant = (hash: string, expiresAt = '2026-01-11T12:00:00Z') => ({
  tokenHash: hash,
  expiresAt,
});

const registered = userRegistered({
  status: 'pending',
  emailConfirmed: false,
  confirmation: grant('c1'),
});

/** given events, when a command, then events (or the error) */
function when(given: UserEvent[], command: UserCommand) {
  return userDecider.decide(command, fold(userDecider, given), ctx);
}

describe('user decider', () => {
  it('confirms with the outstanding token, then refuses the same token', () => {
    const events = when([registered], { type: 'ConfirmEmail', tokenHash: 'c1' });
    expect(events).toEqual([{ type: 'UserEmailConfirmed', data: { userId: 'u1' } }]);
    expect(() => when([registered, ...events], { type: 'ConfirmEmail', tokenHash: 'c1' })).toThrow(
      'Ссылка недействительна',
    );
  });

  it('refuses an expired token', () => {
    const old = {
      ...registered,
      data: { ...registered.data, confirmation: grant('c1', '2026-01-01T00:00:00Z') },
    } as UserEvent;
    expect(() => when([old], { type: 'ConfirmEmail', tokenHash: 'c1' })).toThrow(
      'Срок действия ссылки истёк',
    );
  });

  it('returns [] when nothing changes: suspend twice, same roles, empty edit, repeated registration', () => {
    const suspended: UserEvent = { type: 'UserSuspended', data: { userId: 'u1' } };
    expect(when([registered, suspended], { type: 'SuspendUser' })).toEqual([]);
    expect(when([registered], { type: 'ChangeRoles', roles: ['user'] })).toEqual([]);
    expect(when([registered], { type: 'EditProfile' })).toEqual([]);
    const { type: _t, ...data } = registered.data as Record<string, unknown>;
    expect(
      when([registered], {
        type: 'RegisterUser',
        ...(data as Omit<Extract<UserCommand, { type: 'RegisterUser' }>, 'type'>),
      }),
    ).toEqual([]);
  });

  it('refuses to log in a user who is not active', () => {
    expect(() => when([registered], { type: 'RecordLogin' })).toThrow(DomainError);
  });

  it('forgets everything at deletion', () => {
    const state = fold(userDecider, [
      registered,
      { type: 'UserDeleted', data: { userId: 'u1', emailHash: 'h' } },
    ]);
    expect(state.deleted).toBe(true);
    expect(state.email).toBeNull();
    expect(state.passwordHash).toBeNull();
    expect(() =>
      when([registered, { type: 'UserDeleted', data: { userId: 'u1', emailHash: 'h' } }], {
        type: 'ActivateUser',
      }),
    ).toThrow('не найден');
  });
});

describe('reservations', () => {
  it('an email is held by one user until released', () => {
    const reserved = emailReservationDecider.decide(
      { type: 'ReserveEmail', userId: 'a' },
      { holder: null },
      ctx,
    );
    const held = fold(emailReservationDecider, reserved);
    expect(() =>
      emailReservationDecider.decide({ type: 'ReserveEmail', userId: 'b' }, held, ctx),
    ).toThrow('уже зарегистрирован');
    expect(
      emailReservationDecider.decide({ type: 'ReserveEmail', userId: 'a' }, held, ctx),
    ).toEqual([]);
    expect(
      emailReservationDecider.decide({ type: 'ReleaseEmail', userId: 'b' }, held, ctx),
    ).toEqual([]);
  });

  it('the last system account cannot be revoked', () => {
    expect(() =>
      systemAccountsDecider.decide(
        { type: 'RevokeSystemAccount', userId: 'a' },
        { holders: ['a'] },
        ctx,
      ),
    ).toThrow('последняя');
    expect(
      systemAccountsDecider.decide(
        { type: 'RevokeSystemAccount', userId: 'a' },
        { holders: ['a', 'b'] },
        ctx,
      ),
    ).toHaveLength(1);
  });
});

describe('roles', () => {
  it('refuses unknown permissions and keeps the system role complete; same set gives []', () => {
    const state = { name: 'admin', permissions: ['admin.users'] };
    expect(() =>
      roleDecider.decide({ type: 'ChangeRolePermissions', permissions: ['root'] }, state, ctx),
    ).toThrow('Неизвестные права');
    expect(
      roleDecider.decide(
        { type: 'ChangeRolePermissions', permissions: ['admin.users'] },
        state,
        ctx,
      ),
    ).toEqual([]);
    expect(() =>
      roleDecider.decide(
        { type: 'ChangeRolePermissions', permissions: [] },
        { name: 'system', permissions: [] },
        ctx,
      ),
    ).toThrow('Система');
  });
});

describe('per-user encryption', () => {
  it('round-trips, binds the ciphertext to its owner and fails after the key is destroyed', async () => {
    const cipher = new AesGcmCipher(new MemoryKeyStore(), 'a-secret-key-of-length');
    const c = await cipher.encrypt('u1', 'anna@example.test');
    expect(c).not.toContain('anna');
    expect(await cipher.decrypt('u1', c)).toBe('anna@example.test');
    await cipher.encrypt('u2', 'x');
    await expect(cipher.decrypt('u2', c)).rejects.toThrow();
    await cipher.destroyKey('u1');
    await expect(cipher.decrypt('u1', c)).rejects.toBeInstanceOf(KeyDestroyedError);
  });

  it('the audit log copy drops secrets and hides ciphertext', () => {
    expect(
      redactEventData({
        email: 'enc:v1:abc',
        tokenHash: 'x',
        nested: { passwordHash: 'y', ok: 1 },
      }),
    ).toEqual({
      email: '[зашифровано]',
      nested: { ok: 1 },
    });
  });
});
