import { describe, expect, it } from 'vitest';
import { fold } from '../../../src/domain/shared/decider.js';
import { syncConfigDecider } from '../../../src/domain/sync-config/decide.js';
import type { SyncConfigEvent } from '../../../src/domain/sync-config/events.js';
import { DEFAULT_STOCK_POLICY } from '../../../src/domain/sync-config/stock.js';
import { deciderSpec } from '../decider-spec.js';

const userId = 'u-stock';
const given = deciderSpec(syncConfigDecider);
const enabled: SyncConfigEvent = { type: 'SyncEnabled', data: { userId } };

describe('SetStockSource', () => {
  const fixed = (fixedAmount: number | null): SyncConfigEvent => ({
    type: 'StockSourceChanged',
    data: { userId, source: 'fixed', fixedAmount },
  });

  it('an old stream without the setting folds to stock from Evotor, listed when unavailable', () => {
    expect(fold(syncConfigDecider, [enabled]).stock).toEqual({
      source: 'evotor',
      fixedAmount: null,
      unavailable: 'out_of_stock',
    });
    expect(fold(syncConfigDecider, [enabled]).stock).toEqual(DEFAULT_STOCK_POLICY);
  });

  it('switches to «всегда N», to another N, and back to Evotor', () => {
    given([])
      .when({ type: 'SetStockSource', userId, source: 'fixed', fixedAmount: 50 })
      .then([fixed(50)]);
    given([fixed(50)])
      .when({ type: 'SetStockSource', userId, source: 'fixed', fixedAmount: null })
      .then([fixed(null)]);
    given([fixed(50)])
      .when({ type: 'SetStockSource', userId, source: 'evotor', fixedAmount: 50 })
      .then([{ type: 'StockSourceChanged', data: { userId, source: 'evotor', fixedAmount: 50 } }]);
  });

  it('takes -1, VK «no limit», as N', () => {
    given([])
      .when({ type: 'SetStockSource', userId, source: 'fixed', fixedAmount: -1 })
      .then([fixed(-1)]);
  });

  it('returns [] when nothing changes (the default included)', () => {
    given([])
      .when({ type: 'SetStockSource', userId, source: 'evotor', fixedAmount: null })
      .then([]);
    given([fixed(50)])
      .when({ type: 'SetStockSource', userId, source: 'fixed', fixedAmount: 50 })
      .then([]);
  });

  it('refuses an N VK would refuse, or that would list everything as unavailable', () => {
    for (const n of [0, -2, 1_000_000, 2.5]) {
      given([])
        .when({ type: 'SetStockSource', userId, source: 'fixed', fixedAmount: n })
        .thenRefused('stock_amount_range');
    }
    given([])
      .when({ type: 'SetStockSource', userId, source: 'shelf' as never, fixedAmount: null })
      .thenRefused('unknown_stock_source');
  });
});

describe('SetUnavailableItemsMode', () => {
  it('hides unavailable items, and lists them again', () => {
    const hidden: SyncConfigEvent = {
      type: 'UnavailableItemsModeChanged',
      data: { userId, mode: 'hidden' },
    };
    given([]).when({ type: 'SetUnavailableItemsMode', userId, mode: 'hidden' }).then([hidden]);
    given([hidden])
      .when({ type: 'SetUnavailableItemsMode', userId, mode: 'out_of_stock' })
      .then([{ type: 'UnavailableItemsModeChanged', data: { userId, mode: 'out_of_stock' } }]);
    expect(fold(syncConfigDecider, [hidden]).stock.unavailable).toBe('hidden');
  });

  it('returns [] for the mode in force, and refuses an unknown one', () => {
    given([]).when({ type: 'SetUnavailableItemsMode', userId, mode: 'out_of_stock' }).then([]);
    given([])
      .when({ type: 'SetUnavailableItemsMode', userId, mode: 'deleted' as never })
      .thenRefused('unknown_unavailable_mode');
  });
});

describe('SetRunInterval', () => {
  const every = (seconds: number | null): SyncConfigEvent => ({
    type: 'RunIntervalChanged',
    data: { userId, seconds },
  });

  it('sets the owner interval within 15 minutes and 24 hours, and back to the default', () => {
    given([])
      .when({ type: 'SetRunInterval', userId, seconds: 900 })
      .then([every(900)]);
    given([])
      .when({ type: 'SetRunInterval', userId, seconds: 86_400 })
      .then([every(86_400)]);
    given([every(900)])
      .when({ type: 'SetRunInterval', userId, seconds: null })
      .then([every(null)]);
    expect(fold(syncConfigDecider, [every(1800)]).runIntervalSeconds).toBe(1800);
    expect(fold(syncConfigDecider, []).runIntervalSeconds).toBeNull();
  });

  it('returns [] when the interval stays', () => {
    given([every(3600)])
      .when({ type: 'SetRunInterval', userId, seconds: 3600 })
      .then([]);
    given([]).when({ type: 'SetRunInterval', userId, seconds: null }).then([]);
  });

  it('refuses intervals outside the limits', () => {
    for (const seconds of [60, 899, 86_401, 1000.5]) {
      given([]).when({ type: 'SetRunInterval', userId, seconds }).thenRefused('run_interval_range');
    }
  });
});
