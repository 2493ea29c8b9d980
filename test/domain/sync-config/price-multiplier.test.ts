import { describe, expect, it } from 'vitest';
import {
  applyPriceMultiplier,
  formatPriceMultiplier,
  parsePriceMultiplier,
} from '../../../src/domain/sync-config/price-multiplier.js';

describe('price multiplier', () => {
  it.each([
    ['1', 10_000, '1'],
    ['1.15', 11_500, '1.15'],
    ['0,0001', 1, '0.0001'],
    ['100', 1_000_000, '100'],
    [' 2.5000 ', 25_000, '2.5'],
  ])('parses %j as %i ten-thousandths, spelled %j', (text, scaled, canonical) => {
    expect(parsePriceMultiplier(text)).toBe(scaled);
    expect(formatPriceMultiplier(scaled)).toBe(canonical);
  });

  it.each([
    // as binary floats 110 × 1.15 = 126.49999999999999, which Math.round would take down to 126
    [110, '1.15', 127],
    [1_005, '1.15', 1_156],
    [10_000, '1.15', 11_500],
    [99_999, '1', 99_999],
    [1, '0.5', 1],
    [3, '0.5', 2],
    [12_345, '1.0001', 12_346],
    [999_999_999, '100', 99_999_999_900],
    [0, '3', 0],
  ])('%i kopecks × %s = %i kopecks (half up, exact)', (price, multiplier, expected) => {
    expect(applyPriceMultiplier(price, multiplier)).toBe(expected);
  });
});
