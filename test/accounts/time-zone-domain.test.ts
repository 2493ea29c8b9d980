import { describe, expect, it } from 'vitest';
import { DomainError, fold, type DecideContext } from '../../src/domain/shared/decider.js';
import { userDecider, type UserCommand } from '../../src/domain/users/decide.js';
import type { UserEvent } from '../../src/domain/users/events.js';
import { OWNER_TIME_ZONES } from '../../src/domain/users/time-zones.js';
import { formatDateTime } from '../../src/web/shared/format.js';
import { userRegistered } from './user-fixtures.js';

const ctx: DecideContext = { now: new Date('2026-11-28T09:00:00Z'), newId: () => 'id-1' };
const registered = userRegistered();
const changed = (timeZone: string): UserEvent => ({
  type: 'UserTimeZoneChanged',
  data: { userId: 'u1', timeZone },
});
const when = (given: UserEvent[], command: UserCommand) =>
  userDecider.decide(command, fold(userDecider, given), ctx);

describe('the user’s time zone in the domain', () => {
  it('records a zone from Russia’s list, and nothing when it is the current one', () => {
    expect(when([registered], { type: 'ChangeTimeZone', timeZone: 'Asia/Omsk' })).toEqual([
      changed('Asia/Omsk'),
    ]);
    // Moscow is the zone until another is chosen: choosing it changes nothing.
    expect(when([registered], { type: 'ChangeTimeZone', timeZone: 'Europe/Moscow' })).toEqual([]);
    const omsk = [registered, changed('Asia/Omsk')];
    expect(when(omsk, { type: 'ChangeTimeZone', timeZone: 'Asia/Omsk' })).toEqual([]);
    expect(when(omsk, { type: 'ChangeTimeZone', timeZone: 'Europe/Moscow' })).toEqual([
      changed('Europe/Moscow'),
    ]);
  });

  it('refuses a zone outside the list, naming the form field', () => {
    for (const timeZone of ['Europe/London', 'UTC', 'asia/omsk', '']) {
      const refusal = (() => {
        try {
          when([registered], { type: 'ChangeTimeZone', timeZone });
        } catch (error) {
          return error;
        }
      })();
      expect(refusal).toBeInstanceOf(DomainError);
      expect((refusal as DomainError).field).toBe('timeZone');
      expect((refusal as DomainError).message).toBe('Выберите часовой пояс из списка.');
    }
  });

  it('labels each zone with its real offset from UTC and from Moscow', () => {
    expect(OWNER_TIME_ZONES).toHaveLength(11);
    const at = new Date('2026-11-28T09:00:00Z');
    for (const zone of OWNER_TIME_ZONES) {
      const offset = new Intl.DateTimeFormat('en-US', {
        timeZone: zone.id,
        timeZoneName: 'shortOffset',
      })
        .formatToParts(at)
        .find((p) => p.type === 'timeZoneName')!.value;
      const utc = Number(/^GMT\+(\d+)$/.exec(offset)![1]);
      expect(zone.label).toContain(`(UTC+${utc})`);
      expect(zone.short).toBe(utc === 3 ? 'МСК' : `МСК${utc < 3 ? '−' : '+'}${Math.abs(utc - 3)}`);
      // The pages label a time with the zone's short name.
      expect(formatDateTime(at, zone.id)).toMatch(
        new RegExp(`\\u00a0${zone.short.replace('+', '\\+')}$`),
      );
    }
  });
});
