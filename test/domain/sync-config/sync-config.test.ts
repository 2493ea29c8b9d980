import { describe, expect, it } from 'vitest';
import { syncConfigDecider } from '../../../src/domain/sync-config/decide.js';
import {
  syncConfigStream,
  type SyncConfigEvent,
  type SyncFilterRule,
} from '../../../src/domain/sync-config/events.js';
import { fold } from '../../../src/domain/shared/decider.js';
import { syncStatus, taskRuns } from '../../../src/domain/sync-config/state.js';
import { deciderSpec, NOW, throughHandler } from '../decider-spec.js';

const userId = 'u1';
const given = deciderSpec(syncConfigDecider);
const enabled: SyncConfigEvent = { type: 'SyncEnabled', data: { userId } };
const confirmed: SyncConfigEvent = {
  type: 'SyncConfirmed',
  data: { userId, confirmedAt: '2025-01-01T00:00:00.000Z' },
};
const rule = (overrides: Partial<SyncFilterRule> = {}): SyncFilterRule => ({
  entityType: 'store',
  entityId: 's1',
  entityName: 'Центральный',
  mode: 'include',
  parentEntityId: null,
  ...overrides,
});
const ruleSet = (r: SyncFilterRule): SyncConfigEvent => ({
  type: 'SyncFilterRuleSet',
  data: { userId, rule: r },
});

describe('EnableSync / DisableSync', () => {
  it('enables once; enabling again changes nothing', () => {
    given([]).when({ type: 'EnableSync', userId }).then([enabled]);
    given([enabled]).when({ type: 'EnableSync', userId }).then([]);
  });

  it('disables an enabled sync; disabling again changes nothing', () => {
    given([enabled])
      .when({ type: 'DisableSync', userId })
      .then([{ type: 'SyncDisabled', data: { userId } }]);
    given([]).when({ type: 'DisableSync', userId }).then([]);
  });
});

describe('ConfirmSync', () => {
  const confirmCmd = (storeIds: string[]) => ({ type: 'ConfirmSync' as const, userId, storeIds });

  it('confirms an enabled sync with a store in scope, at the time of the context', () => {
    given([enabled])
      .when(confirmCmd(['s1']))
      .then([{ type: 'SyncConfirmed', data: { userId, confirmedAt: NOW.toISOString() } }]);
  });

  it('returns [] when already confirmed', () => {
    given([enabled, confirmed])
      .when(confirmCmd(['s1']))
      .then([]);
  });

  it('is refused while sync is disabled', () => {
    given([])
      .when(confirmCmd(['s1']))
      .thenRefused('sync_not_enabled');
  });

  it('is refused when no store passes the store filter', () => {
    given([enabled]).when(confirmCmd([])).thenRefused('no_store_in_scope');
    given([enabled, ruleSet(rule({ mode: 'exclude' }))])
      .when(confirmCmd(['s1']))
      .thenRefused('no_store_in_scope');
    given([enabled, ruleSet(rule({ entityId: 's9' }))])
      .when(confirmCmd(['s1']))
      .thenRefused('no_store_in_scope');
  });

  it('accepts a whitelist that includes one of the stores', () => {
    given([enabled, ruleSet(rule({ entityId: 's2' }))])
      .when(confirmCmd(['s1', 's2']))
      .then([{ type: 'SyncConfirmed', data: { userId, confirmedAt: NOW.toISOString() } }]);
  });
});

describe('status', () => {
  const status = (events: SyncConfigEvent[]) => syncStatus(fold(syncConfigDecider, events));

  it('goes not_configured → awaiting_confirmation → active, and back when disabled', () => {
    expect(status([])).toBe('not_configured');
    expect(status([enabled])).toBe('awaiting_confirmation');
    expect(status([enabled, confirmed])).toBe('active');
    expect(status([enabled, confirmed, { type: 'SyncDisabled', data: { userId } }])).toBe(
      'not_configured',
    );
    expect(status([enabled, confirmed, { type: 'SyncDisabled', data: { userId } }, enabled])).toBe(
      'active',
    );
  });

  it('runs a task only when active and the task is switched on', () => {
    const off: SyncConfigEvent = {
      type: 'SyncTaskToggled',
      data: { userId, task: 'mirror_to_vk', enabled: false },
    };
    const state = fold(syncConfigDecider, [enabled, confirmed, off]);
    expect(taskRuns(state, 'refresh_catalog')).toBe(true);
    expect(taskRuns(state, 'mirror_to_vk')).toBe(false);
    expect(taskRuns(fold(syncConfigDecider, [enabled]), 'refresh_catalog')).toBe(false);
  });
});

describe('SetPriceMultiplier', () => {
  it('records the canonical decimal, from and to', () => {
    given([])
      .when({ type: 'SetPriceMultiplier', userId, multiplier: '1,150' })
      .then([{ type: 'PriceMultiplierChanged', data: { userId, from: '1', to: '1.15' } }]);
  });

  it('returns [] for the same value spelled differently', () => {
    given([{ type: 'PriceMultiplierChanged', data: { userId, from: '1', to: '1.15' } }])
      .when({ type: 'SetPriceMultiplier', userId, multiplier: '1.1500' })
      .then([]);
    given([]).when({ type: 'SetPriceMultiplier', userId, multiplier: '1.0' }).then([]);
  });

  it.each([
    ['0', 'multiplier_range'],
    ['100.0001', 'multiplier_range'],
    ['1.12345', 'multiplier_format'],
    ['-1', 'multiplier_format'],
    ['1e2', 'multiplier_format'],
    ['', 'multiplier_format'],
  ])('refuses %j (%s)', (multiplier, code) => {
    given([]).when({ type: 'SetPriceMultiplier', userId, multiplier }).thenRefused(code);
  });
});

describe('ToggleSyncTask', () => {
  it('switches a task off once, and back on', () => {
    const cmd = { type: 'ToggleSyncTask' as const, userId, task: 'refresh_vk_catalog' as const };
    const off: SyncConfigEvent = {
      type: 'SyncTaskToggled',
      data: { userId, task: 'refresh_vk_catalog', enabled: false },
    };
    given([])
      .when({ ...cmd, enabled: false })
      .then([off]);
    given([off])
      .when({ ...cmd, enabled: false })
      .then([]);
    given([])
      .when({ ...cmd, enabled: true })
      .then([]);
    given([off])
      .when({ ...cmd, enabled: true })
      .then([
        { type: 'SyncTaskToggled', data: { userId, task: 'refresh_vk_catalog', enabled: true } },
      ]);
  });
});

describe('SetFilterRule / ClearFilterRule', () => {
  const set = (r: SyncFilterRule) => ({ type: 'SetFilterRule' as const, userId, ...r });

  it('sets a rule, and returns [] when the same rule is set again', () => {
    given([])
      .when(set(rule()))
      .then([ruleSet(rule())]);
    given([ruleSet(rule())])
      .when(set(rule()))
      .then([]);
  });

  it('replaces the rule of the same entity when its mode changes', () => {
    given([ruleSet(rule())])
      .when(set(rule({ mode: 'exclude' })))
      .then([ruleSet(rule({ mode: 'exclude' }))]);
  });

  it('refuses a rule without an entity', () => {
    given([])
      .when(set(rule({ entityId: ' ' })))
      .thenRefused('filter_entity_missing');
  });

  it('clears an existing rule; clearing a missing one changes nothing', () => {
    const clear = {
      type: 'ClearFilterRule' as const,
      userId,
      entityType: 'store' as const,
      entityId: 's1',
    };
    given([ruleSet(rule())])
      .when(clear)
      .then([
        { type: 'SyncFilterRuleCleared', data: { userId, entityType: 'store', entityId: 's1' } },
      ]);
    given([ruleSet(rule({ entityType: 'group' }))])
      .when(clear)
      .then([]);
  });

  it('runs through the generic command handler', async () => {
    const history = [enabled, ruleSet(rule())];
    const { appended, stream } = await throughHandler(
      syncConfigDecider,
      syncConfigStream(userId),
      history,
      { type: 'ConfirmSync', userId, storeIds: ['s1'] },
    );
    const expected: SyncConfigEvent[] = [
      { type: 'SyncConfirmed', data: { userId, confirmedAt: NOW.toISOString() } },
    ];
    expect(appended).toEqual(expected);
    expect(stream).toEqual([...history, ...expected]);
  });
});

describe('SetFieldOwnership', () => {
  const changed = (field: 'description' | 'photos', owner: 'evosync' | 'vk') => ({
    type: 'FieldOwnershipChanged' as const,
    data: { userId, field, owner },
  });

  it('leaves a field to VK, and back to EvoSync', () => {
    given([])
      .when({ type: 'SetFieldOwnership', userId, field: 'description', owner: 'vk' })
      .then([changed('description', 'vk')]);
    given([changed('photos', 'vk')])
      .when({ type: 'SetFieldOwnership', userId, field: 'photos', owner: 'evosync' })
      .then([changed('photos', 'evosync')]);
  });

  it('returns [] when the field already has that owner (EvoSync by default)', () => {
    given([])
      .when({ type: 'SetFieldOwnership', userId, field: 'description', owner: 'evosync' })
      .then([]);
  });

  it('refuses fields that are always EvoSync’s', () => {
    given([])
      .when({ type: 'SetFieldOwnership', userId, field: 'price' as never, owner: 'vk' })
      .thenRefused('unknown_field');
  });

  it('keeps the ownership in the state', () => {
    const state = fold(syncConfigDecider, [changed('description', 'vk')]);
    expect(state.ownership).toEqual({ description: 'vk', photos: 'evosync' });
  });
});
