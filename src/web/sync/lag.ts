import type { Sequelize } from 'sequelize';
import { userVkLag } from '../../../projections/sync-lag/queries.js';

export interface LagView {
  /** seconds since the oldest Evotor change VK does not show yet; null when none waits */
  seconds: number | null;
  /** products with a change waiting */
  products: number;
  text: string;
}

/** «N с» under two minutes, «N мин» under two hours, then «N ч». */
export function lagDuration(seconds: number): string {
  if (seconds < 120) return `${Math.max(0, Math.round(seconds))} с`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} мин`;
  return `${Math.round(seconds / 3600)} ч`;
}

export function lagView(
  lag: { oldestChangeAt: Date | null; products: number },
  now: Date,
): LagView {
  if (!lag.oldestChangeAt) {
    return { seconds: null, products: 0, text: 'VK успевает за кассой: все изменения выгружены.' };
  }
  const seconds = Math.max(0, (now.getTime() - lag.oldestChangeAt.getTime()) / 1000);
  return {
    seconds,
    products: lag.products,
    text: `VK отстаёт от кассы на ${lagDuration(seconds)} (товаров ждут выгрузки: ${lag.products}).`,
  };
}

/** The /sync page's lag line: from the oldest Evotor change not yet in VK. */
export async function loadLag(sequelize: Sequelize, userId: string, now = new Date()) {
  return lagView(await userVkLag(sequelize, userId), now);
}
