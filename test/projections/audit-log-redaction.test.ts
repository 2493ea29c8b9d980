import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactedJson, redactEventData } from '../../projections/audit-log/index.js';
import { CIPHERTEXT_PREFIX } from '../../src/application/ports/personal-data-cipher.js';
import { jsonValues, propertySeed } from '../support/property.js';

const keys = fc.oneof(
  fc.constantFrom('password', 'token', 'tokenHash', 'secret', 'name', 'userId', '__proto__'),
  fc.string({ maxLength: 6 }),
);
const text = fc.oneof(
  fc.string(),
  fc.string().map((s) => `${CIPHERTEXT_PREFIX}${s}`),
);
const json = jsonValues(
  fc.oneof(text, fc.double({ noNaN: true }), fc.boolean(), fc.constant(null)),
  keys,
  4,
);

describe('audit log: the JSON kept of an event', () => {
  it('is the redacted copy serialised, whether or not there was anything to hide', () => {
    const seed = propertySeed('AUDIT_SEED', 'audit redaction');
    fc.assert(
      fc.property(json, (value) => {
        // Events reach projections parsed from JSON: the same shape here.
        const parsed = JSON.parse(JSON.stringify(value)) as unknown;
        expect(redactedJson(parsed)).toBe(JSON.stringify(redactEventData(parsed)));
      }),
      { seed, numRuns: 2_000 },
    );
  });
});
