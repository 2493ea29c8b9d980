import fc from 'fast-check';

/**
 * A property test's fast-check seed: `variable` from the environment when set (to replay a
 * run), else one from the clock; printed either way, so a failure can be replayed.
 */
export function propertySeed(variable: string, property: string): number {
  const seed = Number(process.env[variable] ?? Date.now() % 2 ** 31);
  process.stdout.write(`${property} property: seed ${seed} (${variable}=${seed} replays it)\n`);
  return seed;
}

/** JSON values as JSON.parse gives them: `leaf` values in arrays and objects keyed by `keys`. */
export function jsonValues(
  leaf: fc.Arbitrary<unknown>,
  keys: fc.Arbitrary<string>,
  maxEntries: number,
): fc.Arbitrary<unknown> {
  return fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.array(tie('value'), { maxLength: maxEntries }),
      fc.dictionary(keys, tie('value'), { maxKeys: maxEntries }),
    ),
  })).value;
}
