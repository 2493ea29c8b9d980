/**
 * How often the periodic run (the safety net behind Evotor's pushes: deletions, missed
 * notifications) fetches the owner's catalogs. null: the deployment's default
 * (CATALOG_REFRESH_INTERVAL_SECONDS).
 */
import { DomainError } from '../shared/decider.js';

export const RUN_INTERVAL_MIN_SECONDS = 15 * 60;
export const RUN_INTERVAL_MAX_SECONDS = 24 * 60 * 60;

export function checkRunInterval(seconds: number | null): void {
  if (seconds === null) return;
  if (
    !Number.isInteger(seconds) ||
    seconds < RUN_INTERVAL_MIN_SECONDS ||
    seconds > RUN_INTERVAL_MAX_SECONDS
  ) {
    throw new DomainError(
      'run_interval_range',
      'Интервал — целое число минут от 15 до 1440 (24 часа).',
      'runIntervalMinutes',
    );
  }
}

export const effectiveRunInterval = (own: number | null, defaultSeconds: number): number =>
  own ?? defaultSeconds;
