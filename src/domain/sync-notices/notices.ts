/**
 * What the owner was last told about the sync's health (stream `sync-notices-{userId}`): one
 * event per email sent, so a restart or a replay never sends the same news twice.
 */
import type { Decider } from '../shared/decider.js';

/** What breaks a shop's sync until the owner acts (or waits, for the captcha). */
export const SYNC_PROBLEMS = [
  'vk_token_refused',
  'evotor_token_refused',
  'evotor_unpaid',
  'captcha_pause',
] as const;
export type SyncProblem = (typeof SYNC_PROBLEMS)[number];

export type SyncNoticeEvent = {
  type: 'SyncHealthNotified';
  /** `problems` empty: the recovery was announced */
  data: { userId: string; problems: SyncProblem[]; previous: SyncProblem[]; at: string };
};

export type SyncNoticeCommand = {
  type: 'RecordSyncHealthNotice';
  userId: string;
  problems: SyncProblem[];
};

export interface SyncNoticeState {
  /** what the last email said was broken; [] before any or after a recovery */
  problems: SyncProblem[];
}

export const syncNoticesStream = (userId: string) => `sync-notices-${userId}`;

/** Problems in one order, so the same set always compares equal. */
export const normalized = (problems: Iterable<SyncProblem>): SyncProblem[] => {
  const set = new Set(problems);
  return SYNC_PROBLEMS.filter((p) => set.has(p));
};

export const sameProblems = (a: readonly SyncProblem[], b: readonly SyncProblem[]) =>
  a.length === b.length && a.every((p, i) => p === b[i]);

export const syncNotices: Decider<SyncNoticeCommand, SyncNoticeEvent, SyncNoticeState> = {
  initialState: () => ({ problems: [] }),
  evolve: (_state, event) => ({ problems: event.data.problems }),
  decide(command, state, ctx) {
    const problems = normalized(command.problems);
    if (sameProblems(problems, state.problems)) return [];
    return [
      {
        type: 'SyncHealthNotified',
        data: {
          userId: command.userId,
          problems,
          previous: state.problems,
          at: ctx.now.toISOString(),
        },
      },
    ];
  },
};
