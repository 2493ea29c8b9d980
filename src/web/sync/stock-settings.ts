/**
 * The stock and run-interval fields of the /sync settings form (`_stock-settings.ejs`): their
 * schema, their values from the sync config and the commands a submission becomes. A field
 * the submission lacks leaves its setting as it is; an empty number field means the default.
 */
import { z } from 'zod';
import type { SyncConfigCommand } from '../../domain/sync-config/decide.js';
import { DomainError } from '../../domain/shared/decider.js';
import { checkRunInterval } from '../../domain/sync-config/run-interval.js';
import type { SyncConfigState } from '../../domain/sync-config/state.js';
import { checkFixedAmount } from '../../domain/sync-config/stock.js';

/** "", "  ", absent → null; "1 000" → 1000; checked by the domain's own rule. */
const optionalNumber = (check: (value: number) => void) =>
  z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined) return undefined;
      const compact = text.replace(/[\s\u00a0]/g, '');
      if (compact === '') return null;
      const value = /^-?\d+$/.test(compact) ? Number(compact) : Number.NaN;
      try {
        check(value);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        ctx.addIssue({ code: 'custom', message: error.message });
        return z.NEVER;
      }
      return value;
    });

export const stockSettingsShape = {
  stockSource: z.enum(['evotor', 'fixed'], { error: 'Выберите, откуда брать остатки.' }).optional(),
  stockFixedAmount: optionalNumber(checkFixedAmount),
  unavailableItems: z
    .enum(['out_of_stock', 'hidden'], {
      error: 'Выберите, как показывать товары, которые нельзя купить.',
    })
    .optional(),
  runIntervalMinutes: optionalNumber((minutes) => checkRunInterval(minutes * 60)),
};

type StockSettingsForm = z.infer<z.ZodObject<typeof stockSettingsShape>>;

export function stockSettingsCommands(
  userId: string,
  form: StockSettingsForm,
  current: SyncConfigState,
): SyncConfigCommand[] {
  const commands: SyncConfigCommand[] = [];
  if (form.stockSource !== undefined || form.stockFixedAmount !== undefined) {
    commands.push({
      type: 'SetStockSource',
      userId,
      source: form.stockSource ?? current.stock.source,
      fixedAmount:
        form.stockFixedAmount !== undefined ? form.stockFixedAmount : current.stock.fixedAmount,
    });
  }
  if (form.unavailableItems !== undefined) {
    commands.push({ type: 'SetUnavailableItemsMode', userId, mode: form.unavailableItems });
  }
  if (form.runIntervalMinutes !== undefined) {
    const minutes = form.runIntervalMinutes;
    commands.push({
      type: 'SetRunInterval',
      userId,
      seconds: minutes === null ? null : minutes * 60,
    });
  }
  return commands;
}

export function stockFormValues(config: SyncConfigState): Record<string, unknown> {
  return {
    stockSource: config.stock.source,
    stockFixedAmount: config.stock.fixedAmount ?? '',
    unavailableItems: config.stock.unavailable,
    runIntervalMinutes:
      config.runIntervalSeconds === null ? '' : Math.round(config.runIntervalSeconds / 60),
  };
}

/** "1 ч 30 мин", "15 мин", "10 с": the default interval as the hint shows it. */
export function durationLabel(seconds: number): string {
  if (seconds < 60) return `${seconds} с`;
  const minutes = Math.round(seconds / 60);
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours === 0) return `${minutes} мин`;
  return rest === 0 ? `${hours} ч` : `${hours} ч ${rest} мин`;
}

/** What the partial shows as the defaults of the empty fields. */
export const stockDefaults = (config: {
  VK_STOCK_AMOUNT: number;
  CATALOG_REFRESH_INTERVAL_SECONDS: number;
}) => ({
  fixedAmount: config.VK_STOCK_AMOUNT === -1 ? 'без ограничения' : config.VK_STOCK_AMOUNT,
  interval: durationLabel(config.CATALOG_REFRESH_INTERVAL_SECONDS),
});
