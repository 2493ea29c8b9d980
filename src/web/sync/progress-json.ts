import type { loadSyncPage } from './page.js';

type Page = Awaited<ReturnType<typeof loadSyncPage>>;

/** What the page's script needs to redraw the state at a glance (sync.js). */
export function progressJson(page: Page) {
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
      ? { at: activity.lastRun.at.toISOString(), label: activity.lastRun.label }
      : null,
    nextRunAt: activity.nextRunAt?.toISOString() ?? null,
    broken: health.broken,
    statusLabel: page.statusLabel,
    reasons: health.reasons,
  };
}
