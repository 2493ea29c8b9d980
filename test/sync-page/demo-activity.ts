import type { Activity, PushProgress } from '../../src/web/sync/activity.js';

/** The items of the demo-like push the progress tests feed the reporter. */
export const DEMO_PUSH_TOTAL = 3997;

/**
 * What /sync's activity query would answer during a first push of DEMO_PUSH_TOTAL items begun
 * at `startedAt`: `push` overrides the progress fields; null, no push yet.
 */
export function demoActivity(
  push: Partial<PushProgress> | null,
  phase: Activity['phase'],
  startedAt: number,
): Activity {
  return {
    phase,
    phaseLabel: '',
    push: push && {
      pushId: 'push-1',
      startedAt: new Date(startedAt),
      planned: { create: DEMO_PUSH_TOTAL, update: 0, hide: 0, delete: 0 },
      total: DEMO_PUSH_TOTAL,
      done: 0,
      failed: 0,
      percent: 0,
      secondsLeft: null,
      finishedAt: null,
      outcome: null,
      running: true,
      ...push,
    },
    progressText: null,
    leftText: null,
    lastRun: null,
    nextRunAt: null,
  };
}
