import { Router, type Request } from 'express';
import type {
  JobInfo,
  JobState,
  Scheduler,
  SchedulerHealth,
} from '../../application/ports/scheduler.js';
import { SYNC_JOBS } from '../../application/sync/jobs.js';
import { requirePermission } from '../auth/current-user.js';
import { flash, pageOf, queryString } from '../forms.js';
import { scoped } from '../scoped.js';

const PAGE_SIZE = 50;

export const JOB_STATES: Record<JobState, string> = {
  scheduled: 'Запланирована',
  queued: 'В очереди',
  running: 'Выполняется',
  completed: 'Завершена',
  failed: 'Ошибка',
  repeating: 'Периодическая',
};

const isJobState = (s: string): s is JobState => Object.hasOwn(JOB_STATES, s);

/** Names are ours (SYNC_JOBS and the like); anything else in the filter is ignored. */
const JOB_NAME = /^[A-Za-z0-9:_.-]{1,64}$/;

/** Job ids of both backends (Mongo ObjectIds, Redis UUIDs, `mem-1`). */
const JOB_ID = /^[A-Za-z0-9_-]{1,64}$/;

interface Log {
  info(obj: object, msg: string): void;
}

/** Where the scheduler's next periodic pipeline run stands, for the highlighted line. */
async function pipelineOf(scheduler: Scheduler): Promise<JobInfo | null> {
  const { jobs } = await scheduler.listJobs({ name: SYNC_JOBS.pipeline, limit: 10, skip: 0 });
  const due = (j: JobInfo) => j.nextRunAt?.getTime() ?? Infinity;
  return [...jobs].sort((a, b) => due(a) - due(b))[0] ?? null;
}

/** Back to the list as the admin was looking at it (the form carries the query string). */
function backTo(req: Request): string {
  const back = (req.body as { back?: unknown } | undefined)?.back;
  const query = typeof back === 'string' && back.startsWith('?') ? back.slice(0, 300) : '';
  const params = new URLSearchParams(query);
  const kept = new URLSearchParams();
  for (const key of ['name', 'state', 'page']) {
    const v = params.get(key);
    if (v) kept.set(key, v);
  }
  const s = kept.toString();
  return s ? `/admin/jobs?${s}` : '/admin/jobs';
}

/**
 * The background jobs as the scheduler backend holds them (the old system's Flower): filters,
 * failures with their reason, retry and cancel. Jobs live in Redis or MongoDB, not in events,
 * so the admin's actions are written to the log instead of the audit stream.
 */
export function adminJobsRoutes({ scheduler, logger }: { scheduler: Scheduler; logger?: Log }) {
  const r = Router();
  r.use('/admin/jobs', requirePermission('admin.jobs'));

  r.get('/admin/jobs', async (req, res) => {
    const f = { name: queryString(req, 'name'), state: queryString(req, 'state') };
    const name = JOB_NAME.test(f.name) ? f.name : undefined;
    const state = isJobState(f.state) ? f.state : undefined;
    const { page: n, offset } = pageOf(req, PAGE_SIZE);
    let result: { jobs: JobInfo[]; total: number } = { jobs: [], total: 0 };
    let pipeline: JobInfo | null = null;
    let health: SchedulerHealth;
    try {
      [result, pipeline, health] = await Promise.all([
        scheduler.listJobs({ name, state, limit: PAGE_SIZE, skip: offset }),
        pipelineOf(scheduler),
        scheduler.health(),
      ]);
    } catch (error) {
      // A backend that is down must not hide the page that would tell the admin so.
      health = { ok: false, backend: '?', detail: (error as Error).message };
    }
    const back = new URLSearchParams(
      Object.entries({ ...f, page: n > 1 ? String(n) : '' }).filter(([, v]) => v),
    ).toString();
    res.render('admin/jobs', {
      title: 'Фоновые задачи',
      filters: f,
      names: Object.values(SYNC_JOBS),
      states: JOB_STATES,
      pipelineName: SYNC_JOBS.pipeline,
      pipeline,
      health,
      back: back ? `?${back}` : '',
      ...result,
      page: n,
      pages: Math.max(1, Math.ceil(result.total / PAGE_SIZE)),
    });
  });

  const action = (
    verb: 'retry' | 'cancel',
    run: (id: string) => Promise<boolean>,
    done: string,
    missing: string,
  ) =>
    r.post(`/admin/jobs/:id/${verb}`, async (req, res) => {
      const id = req.params.id ?? '';
      const ok = JOB_ID.test(id) && (await run(id));
      flash(req, ok ? 'success' : 'error', ok ? done : missing);
      if (ok) logger?.info({ jobId: id, admin: req.currentUser?.id }, `admin job ${verb}`);
      res.redirect(303, backTo(req));
    });

  action(
    'retry',
    (id) => scheduler.retryJob(id),
    'Задача поставлена на повторный запуск.',
    'Задачу не удалось перезапустить: её нет или она сейчас выполняется.',
  );
  action('cancel', (id) => scheduler.cancelJob(id), 'Задача отменена.', 'Задача не найдена.');
  return scoped('/admin/jobs', r);
}
