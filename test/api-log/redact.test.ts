import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { excerpt, redactValue } from '../../src/infrastructure/api-log/redact.js';
import { jsonValues, propertySeed } from '../support/property.js';

/** What an excerpt of a JSON body was before it stopped serialising at the limit. */
const wholeExcerpt = (body: string, limit: number) => {
  const text = JSON.stringify(redactValue(JSON.parse(body)));
  return text.length > limit ? `${text.slice(0, limit)}…` : text;
};

const keys = fc.oneof(
  fc.constantFrom('token', 'access_token', 'password', 'code', 'items', 'name', '__proto__', '0'),
  fc.string({ maxLength: 6 }),
);
const json = jsonValues(
  fc.oneof(fc.string(), fc.double({ noNaN: true }), fc.integer(), fc.boolean(), fc.constant(null)),
  keys,
  5,
);

describe('api log excerpts', () => {
  it('of a JSON body: redacted and cut exactly as serialising the whole body would', () => {
    const seed = propertySeed('EXCERPT_SEED', 'excerpt');
    fc.assert(
      fc.property(json, fc.integer({ min: 0, max: 300 }), (value, limit) => {
        const body = JSON.stringify(value);
        expect(excerpt(body, limit)).toBe(wholeExcerpt(body, limit));
      }),
      { seed, numRuns: 2_000 },
    );
  });

  it('never shows a secret and says where it was', () => {
    const body = JSON.stringify({
      response: { access_token: 'vk1.a.secret', items: [{ code: 1234, name: 'Чай' }] },
    });
    expect(excerpt(body)).toBe(
      '{"response":{"access_token":"[redacted]","items":[{"code":"[redacted]","name":"Чай"}]}}',
    );
    const deep = JSON.stringify({ a: [[[[[[[[[{ token: 'x' }]]]]]]]]] });
    expect(excerpt(deep)).not.toContain('"x"');
    expect(
      excerpt(JSON.stringify({ list: Array.from({ length: 5000 }, (_, i) => i) })),
    ).toHaveLength(2001);
  });
});
