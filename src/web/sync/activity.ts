import { QueryTypes, type Sequelize } from 'sequelize';
import type { Scheduler } from '../../application/ports/scheduler.js';
import { SYNC_JOBS } from '../../application/sync/sync-jobs.js';
import type { PlanCounts } from '../../domain/mirror/events.js';
import { plannedTotal } from '../../domain/mirror/plan.js';

/** What /sync and its progress endpoint say the sync is doing now. */
export type Phase = 'idle' | 'fetching' | 'pushing';

export const PHASE_LABELS: Record<Phase, string> = {
  idle: 'Ожидает следующего запуска',
  fetching: 'Загружает каталоги Эвотор и VK',
  pushing: 'Выгружает товары в VK',
};

export const FINISH_LABELS: Record<string, string> = {
  done: 'завершена',
  paused: 'приостановлена из-за капчи VK',
  auth_failed: 'остановлена: VK отклонил ключ доступа',
  failed: 'прервана ошибкой, будет повторена',
};

/**
 * A push that recorded nothing for this long is taken as gone (its worker died): it is not shown
 * as running for ever; the job's retry records a new start.
 */
const STALE_AFTER_MS = 10 * 60_000;

export interface PushProgress {
  pushId: string;
  startedAt: Date;
  planned: PlanCounts;
  total: number;
  done: number;
  failed: number;
  percent: number;
  /** null until there is a rate to go by */
  secondsLeft: number | null;
  finishedAt: Date | null;
  outcome: string | null;
  running: boolean;
}

export interface Activity {
  phase: Phase;
  phaseLabel: string;
  push: PushProgress | null;
  /** «1 500 из 3 997» */
  progressText: string | null;
  /** «осталось около 2 мин» */
  leftText: string | null;
  lastRun: { at: Date; label: string } | null;
  nextRunAt: Date | null;
}

export const count = (n: number) => n.toLocaleString('ru-RU');

export function leftText(seconds: number | null): string | null {
  if (seconds === null || seconds <= 0) return null;
  if (seconds < 60) return 'осталось меньше минуты';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `осталось около ${minutes} мин`;
  return `осталось около ${Math.floor(minutes / 60)} ч ${minutes % 60} мин`;
}

async function loadPushProgress(
  sequelize: Sequelize,
  userId: string,
  now: Date,
): Promise<PushProgress | null> {
  const [row] = await sequelize.query<Record<string, unknown>>(
    'SELECT * FROM sync_push_progress WHERE user_id = ?',
    { replacements: [userId], type: QueryTypes.SELECT },
  );
  if (!row) return null;
  const date = (v: unknown) => (v == null ? null : new Date(v as string));
  const planned: PlanCounts = {
    create: Number(row.planned_create),
    update: Number(row.planned_update),
    hide: Number(row.planned_hide),
    delete: Number(row.planned_delete),
  };
  const total = plannedTotal(planned);
  const done = Math.min(Number(row.done), total);
  const startedAt = date(row.started_at)!;
  const finishedAt = date(row.finished_at);
  const lastWrite = date(row.last_outcome_at) ?? startedAt;
  const running = finishedAt === null && now.getTime() - lastWrite.getTime() < STALE_AFTER_MS;
  const elapsed = (now.getTime() - startedAt.getTime()) / 1000;
  return {
    pushId: String(row.push_id),
    startedAt,
    planned,
    total,
    done,
    failed: Number(row.failed),
    percent: total === 0 ? 100 : Math.floor((done / total) * 100),
    secondsLeft: running && done > 0 ? Math.round((elapsed / done) * (total - done)) : null,
    finishedAt,
    outcome: finishedAt ? String(row.outcome ?? 'done') : running ? null : 'failed',
    running,
  };
}

/** The fetch jobs running for the user now, and when the periodic pipeline runs next. */
async function loadJobs(scheduler: Scheduler, userId: string, active: boolean) {
  const running = await Promise.all(
    [SYNC_JOBS.evotorFetch, SYNC_JOBS.vkFetch].map((name) =>
      scheduler.listJobs({ name, state: 'running', limit: 100, skip: 0 }),
    ),
  );
  const fetching = running.some((r) => r.jobs.some((j) => j.data.userId === userId));
  if (!active) return { fetching, nextRunAt: null };
  const { jobs } = await scheduler.listJobs({ name: SYNC_JOBS.pipeline, limit: 1, skip: 0 });
  return { fetching, nextRunAt: jobs[0]?.nextRunAt ?? null };
}

/** The push from the sync-progress read model; fetching and the next run from the scheduler. */
export async function loadActivity(
  deps: { sequelize: Sequelize; scheduler: Scheduler },
  userId: string,
  active: boolean,
  now = new Date(),
): Promise<Activity> {
  const [push, jobs] = await Promise.all([
    loadPushProgress(deps.sequelize, userId, now),
    loadJobs(deps.scheduler, userId, active),
  ]);
  const phase: Phase = push?.running ? 'pushing' : jobs.fetching ? 'fetching' : 'idle';
  const finished = push && !push.running ? push : null;
  return {
    phase,
    phaseLabel: PHASE_LABELS[phase],
    push,
    progressText: push?.running ? `${count(push.done)} из ${count(push.total)}` : null,
    leftText: push?.running ? leftText(push.secondsLeft) : null,
    lastRun: finished
      ? {
          at: finished.finishedAt ?? finished.startedAt,
          label: `выгрузка ${FINISH_LABELS[finished.outcome ?? 'done'] ?? finished.outcome}`,
        }
      : null,
    nextRunAt: jobs.nextRunAt,
  };
}
