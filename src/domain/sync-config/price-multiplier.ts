/**
 * The price multiplier is a decimal with at most 4 places, held as an integer number of
 * ten-thousandths. Prices are integer kopecks; multiplying them by a binary float would drift
 * (1.15 is not representable), so the arithmetic is done on BigInt and rounded once.
 */
import { DomainError } from '../shared/decider.js';

export const MULTIPLIER_SCALE = 10_000;
export const DEFAULT_PRICE_MULTIPLIER = '1';
const MAX_SCALED = 100 * MULTIPLIER_SCALE;
const DECIMAL = /^(\d{1,3})(?:[.,](\d{1,4}))?$/;

/** "1.15" → 11500. Accepts a comma as the decimal mark (Russian forms); refuses anything else. */
export function parsePriceMultiplier(text: string): number {
  const match = DECIMAL.exec(text.trim());
  if (!match) {
    throw new DomainError(
      'multiplier_format',
      'Множитель — число с не более чем 4 знаками после запятой, например 1.15.',
      'priceMultiplier',
    );
  }
  const scaled = Number(match[1]) * MULTIPLIER_SCALE + Number((match[2] ?? '').padEnd(4, '0'));
  if (scaled <= 0 || scaled > MAX_SCALED) {
    throw new DomainError(
      'multiplier_range',
      'Множитель должен быть больше 0 и не больше 100.',
      'priceMultiplier',
    );
  }
  return scaled;
}

/** 11500 → "1.15", 10000 → "1": one spelling per value, so equal multipliers compare equal. */
export function formatPriceMultiplier(scaled: number): string {
  const whole = Math.floor(scaled / MULTIPLIER_SCALE);
  const fraction = String(scaled % MULTIPLIER_SCALE)
    .padStart(4, '0')
    .replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : String(whole);
}

/** kopecks × multiplier, rounded half up to whole kopecks. */
export function applyPriceMultiplier(priceKopecks: number, multiplier: string): number {
  const scaled = BigInt(parsePriceMultiplier(multiplier));
  const scale = BigInt(MULTIPLIER_SCALE);
  const product = BigInt(priceKopecks) * scaled;
  const sign = product < 0n ? -1n : 1n;
  const rounded = (sign * product + scale / 2n) / scale;
  return Number(sign * rounded);
}
