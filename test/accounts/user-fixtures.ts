import type { UserEvent } from '../../src/domain/users/events.js';

type Registered = Extract<UserEvent, { type: 'UserRegistered' }>;

/** A `UserRegistered` of user u1 with encrypted-looking fields; `data` overrides them. */
export function userRegistered(data: Partial<Registered['data']> = {}): UserEvent {
  return {
    type: 'UserRegistered',
    data: {
      userId: 'u1',
      email: 'enc:v1:e',
      emailHash: 'h',
      name: null,
      passwordHash: 'enc:v1:p',
      roles: ['user'],
      status: 'active',
      emailConfirmed: true,
      confirmation: null,
      ...data,
    },
  };
}
