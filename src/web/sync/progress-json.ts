import type { ViewFormat } from '../shared/format.js';
import type { loadSyncPage } from './page.js';

type Page = Awaited<ReturnType<typeof loadSyncPage>>;

/**
 * What the page's script needs to redraw the state at a glance (sync.js). Times come
 * formatted in the owner's zone (`format`), as the page itself shows them: the script never
 * formats a time.
 */
export function progressJson(page: Page, format: ViewFormat) {
  const { activity, health } = page;
  const push = activity.push;
  return {
    phase: activity.phase,
    phaseLabel: activity.phaseLabel,
    running: push?.running ?? false,
    pushId: push?.pushId ?? null,
    done: push?.done ?? 0,
    total: push?.total ?? 0,
    percent: push?.percent ?? 0,
    progressText: activity.progressText,
    leftText: activity.leftText,
    lastRun: activity.lastRun
      ? {
          at: activity.lastRun.at.toISOString(),
          label: activity.lastRun.label,
          text: `${format.dateTime(activity.lastRun.at)} — ${activity.lastRun.label}`,
        }
      : null,
    nextRunAt: activity.nextRunAt?.toISOString() ?? null,
    nextRunText: activity.nextRunAt ? format.dateTime(activity.nextRunAt) : null,
    broken: health.broken,
    statusLabel: page.statusLabel,
    reasons: health.reasons,
  };
}
