import type { HealthCheck } from '../../application/ports/health.js';
import type { Scheduler } from '../../application/ports/scheduler.js';

const SHOWN = 50;

/**
 * Failing jobs on /health, for an operator: how many failed on their last run, which of them
 * have no retry left, per job kind, and where to act. Not required: a failing job is one shop's
 * trouble and must not take the service out of a load balancer. /health is public, so it names
 * job kinds and counts only; users and error texts are on /admin/jobs, behind a sign-in.
 */
export function jobsHealthCheck(scheduler: Pick<Scheduler, 'listJobs'>): HealthCheck {
  return {
    name: 'jobs',
    required: false,
    async check() {
      const { jobs, total } = await scheduler.listJobs({ state: 'failed', limit: SHOWN, skip: 0 });
      const byKind: Record<string, { failed: number; exhausted: number }> = {};
      for (const job of jobs) {
        const kind = (byKind[job.name] ??= { failed: 0, exhausted: 0 });
        kind.failed++;
        if (job.nextRunAt === null) kind.exhausted++;
      }
      const exhausted = jobs.filter((job) => job.nextRunAt === null).length;
      return {
        ok: exhausted === 0,
        failed: total,
        exhausted,
        byKind,
        ...(total > 0 && {
          whatToDo:
            exhausted > 0
              ? 'Откройте /admin/jobs?state=failed: у задач без повторов прочтите причину, устраните её и нажмите «Повторить».'
              : 'Задачи повторятся сами; причины — на /admin/jobs?state=failed.',
        }),
      };
    },
  };
}
