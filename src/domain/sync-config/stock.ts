/**
 * What VK shows as a product's stock, and what a product that cannot be bought becomes there.
 * VK's `stock_amount` (market.add / market.edit) takes -1 (no limit) to 999 999; an item with
 * 0 is listed as «нет в наличии» and cannot be ordered.
 */
import { DomainError } from '../shared/decider.js';

/** `evotor`: the register's quantity; `fixed`: always the same number */
export type StockSource = 'evotor' | 'fixed';
/** `out_of_stock`: listed, not buyable (stock 0); `hidden`: switched off in VK */
export type UnavailableMode = 'out_of_stock' | 'hidden';

export interface StockPolicy {
  source: StockSource;
  /** the «всегда N»; null: the configured default (VK_STOCK_AMOUNT) */
  fixedAmount: number | null;
  unavailable: UnavailableMode;
}

export const DEFAULT_STOCK_POLICY: StockPolicy = {
  source: 'evotor',
  fixedAmount: null,
  unavailable: 'out_of_stock',
};

export const VK_STOCK_MAX = 999_999;
/** VK's «no limit» */
export const VK_STOCK_UNLIMITED = -1;

export const STOCK_SOURCES: readonly StockSource[] = ['evotor', 'fixed'];
export const UNAVAILABLE_MODES: readonly UnavailableMode[] = ['out_of_stock', 'hidden'];

/**
 * Refuses what VK would refuse, and 0: «всегда N» is a stock to sell from, and 0 would list
 * every item as unavailable. -1 is VK's «no limit».
 */
export function checkFixedAmount(amount: number | null): void {
  if (amount === null || amount === VK_STOCK_UNLIMITED) return;
  if (!Number.isInteger(amount) || amount < 1 || amount > VK_STOCK_MAX) {
    throw new DomainError(
      'stock_amount_range',
      'Остаток — целое число от 1 до 999 999, или -1 (без ограничения).',
      'stockFixedAmount',
    );
  }
}

/** Evotor keeps quantities in thousandths; VK wants whole units within its range. */
export function vkStockFromQuantity(quantityMilli: number): number {
  const whole = Math.floor(quantityMilli / 1000);
  return Math.min(Math.max(whole, 0), VK_STOCK_MAX);
}

/**
 * Units of mass, volume and length that Evotor products are sold in by measure (Evotor's
 * framework types them MASS/VOLUME/LENGTH; the cloud API only sends `measure_name`). Their
 * register quantity is a fraction (2.350 кг), not a number of pieces a buyer can order.
 */
const MEASURED_UNITS = new Set(['кг', 'г', 'гр', 'грамм', 'т', 'л', 'мл', 'м', 'см', 'м2', 'м3']);

export function soldByMeasure(measureName: string): boolean {
  return MEASURED_UNITS.has(measureName.trim().toLowerCase().replace(/\.+$/, ''));
}
