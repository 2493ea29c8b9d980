import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sqlTime } from '../../src/infrastructure/db/sql-time.js';
import { propertySeed } from '../support/property.js';

describe('sqlTime', () => {
  it('gives every Date its own UTC text to the millisecond, in any order of calls', () => {
    const seed = propertySeed('SQL_TIME_SEED', 'sqlTime');
    const dates = fc.date({
      min: new Date('1970-01-01T00:00:00Z'),
      max: new Date('9999-12-31T23:59:59.999Z'),
      noInvalidDate: true,
    });
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            dates,
            dates.map((d) => new Date(d)),
          ),
          { maxLength: 20 },
        ),
        (list) => {
          for (const date of list)
            expect(sqlTime(date)).toBe(date.toISOString().slice(0, 23).replace('T', ' '));
        },
      ),
      { seed, numRuns: 200 },
    );
  });

  it('reads a Date changed in place as it is now, and refuses an invalid one', () => {
    const date = new Date('2026-11-28T23:59:58.123Z');
    expect(sqlTime(date)).toBe('2026-11-28 23:59:58.123');
    date.setUTCMilliseconds(124);
    expect(sqlTime(date)).toBe('2026-11-28 23:59:58.124');
    expect(() => sqlTime(new Date('nonsense'))).toThrow(RangeError);
    expect(sqlTime('2026-11-28T23:59:58.5+03:00')).toBe('2026-11-28 20:59:58.500');
    expect(sqlTime('2026-11-28 20:59:58.5')).toBe('2026-11-28 20:59:58.5');
    expect(sqlTime(null)).toBeNull();
  });
});
