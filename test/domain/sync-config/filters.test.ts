import { describe, expect, it } from 'vitest';
import type { SyncFilterRule } from '../../../src/domain/sync-config/events.js';
import {
  compileScope,
  groupAncestors,
  isInScope,
  type ScopeSubject,
} from '../../../src/domain/sync-config/filters.js';

/** `+store:s1` includes store s1, `-group:g2` excludes group g2. */
function rules(...specs: string[]): SyncFilterRule[] {
  return specs.map((spec) => {
    const [type, id] = spec.slice(1).split(':') as [SyncFilterRule['entityType'], string];
    return {
      entityType: type,
      entityId: id,
      entityName: id,
      mode: spec.startsWith('+') ? 'include' : 'exclude',
      parentEntityId: null,
    };
  });
}

/**
 * The catalog used by every row: store s1 and s2; in s1 the groups g1 ⊃ g11 ⊃ g111 and g2;
 * products p1 in g1, p11 in g11, p111 in g111, p2 in g2, p0 at the root of s1, q1 in group h1
 * of store s2.
 */
const subjects: Record<string, ScopeSubject> = {
  p1: { storeId: 's1', groupId: 'g1', groupAncestors: [], productId: 'p1' },
  p11: { storeId: 's1', groupId: 'g11', groupAncestors: ['g1'], productId: 'p11' },
  p111: { storeId: 's1', groupId: 'g111', groupAncestors: ['g11', 'g1'], productId: 'p111' },
  p2: { storeId: 's1', groupId: 'g2', groupAncestors: [], productId: 'p2' },
  p0: { storeId: 's1', groupId: null, groupAncestors: [], productId: 'p0' },
  q1: { storeId: 's2', groupId: 'h1', groupAncestors: [], productId: 'q1' },
};
const all = Object.keys(subjects);

const table: [string, string[], string[]][] = [
  ['no rules: everything', [], all],
  ['store whitelist', ['+store:s2'], ['q1']],
  ['store blacklist', ['-store:s1'], ['q1']],
  [
    'store include and exclude: include decides, exclude still removes',
    ['+store:s1', '+store:s2', '-store:s2'],
    ['p1', 'p11', 'p111', 'p2', 'p0'],
  ],
  ['group whitelist takes the included group and all below it', ['+group:g11'], ['p11', 'p111']],
  ['group whitelist leaves out root products and other stores', ['+group:g2'], ['p2']],
  [
    'group blacklist removes the group and everything below it',
    ['-group:g11'],
    ['p1', 'p2', 'p0', 'q1'],
  ],
  [
    'an excluded subgroup inside an included group stays out',
    ['+group:g1', '-group:g111'],
    ['p1', 'p11'],
  ],
  ['an excluded ancestor wins over an included subgroup', ['-group:g1', '+group:g11'], []],
  [
    'product whitelist: only included products, in every store',
    ['+product:p2', '+product:q1'],
    ['p2', 'q1'],
  ],
  ['product blacklist', ['-product:p1', '-product:q1'], ['p11', 'p111', 'p2', 'p0']],
  [
    'an excluded store overrides included groups and products',
    ['-store:s1', '+group:g1', '+product:p1'],
    [],
  ],
  [
    'levels are gates: an included product in a group outside the whitelist is out',
    ['+group:g2', '+product:p1', '+product:p2'],
    ['p2'],
  ],
  [
    'store whitelist and group blacklist combine',
    ['+store:s1', '-group:g2'],
    ['p1', 'p11', 'p111', 'p0'],
  ],
  [
    'rules for unknown ids in blacklist mode change nothing',
    ['-store:x', '-group:y', '-product:z'],
    all,
  ],
  ['an include for an unknown id still switches on whitelist mode', ['+product:z'], []],
];

describe('isInScope', () => {
  it.each(table)('%s', (_name, specs, expected) => {
    const inScope = all.filter((id) => isInScope(rules(...specs), subjects[id]!));
    expect(inScope).toEqual(expected);
  });
});

describe('compileScope', () => {
  it('answers for stores and groups on their own, with the store gate above the group gate', () => {
    const scope = compileScope(rules('-store:s2', '+group:g1'));
    expect([scope.store('s1'), scope.store('s2')]).toEqual([true, false]);
    expect(scope.group('s1', 'g11', ['g1'])).toBe(true);
    expect(scope.group('s1', 'g2', [])).toBe(false);
    expect(scope.group('s2', 'g1', [])).toBe(false);
  });
});

describe('groupAncestors', () => {
  const parents: Record<string, string | null> = {
    g1: null,
    g11: 'g1',
    g111: 'g11',
    a: 'b',
    b: 'a',
  };
  const parentOf = (id: string) => parents[id];

  it.each([
    ['g111', ['g11', 'g1']],
    ['g1', []],
    ['missing', []],
    ['a', ['b']],
  ] as const)('of %s is %j', (id, expected) => {
    expect(groupAncestors(id, parentOf)).toEqual(expected);
  });

  it('is empty for a product at the root', () => {
    expect(groupAncestors(null, parentOf)).toEqual([]);
  });
});
