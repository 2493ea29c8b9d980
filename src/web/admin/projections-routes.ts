import { Router } from 'express';
import type { Sequelize } from 'sequelize';
import type { EventStore } from '../../application/ports/event-store.js';
import {
  POISON_AFTER_ATTEMPTS,
  projectionOverview,
  STUCK_AFTER_MS,
  type ProjectionCondition,
  type ProjectionOverview,
} from '../../infrastructure/projections/lag-health.js';
import { requirePermission } from '../auth/current-user.js';
import { scoped } from '../scoped.js';
import { DEFAULT_TIME_ZONE, formatDateTime, pageFormat } from '../shared/format.js';

export const CONDITIONS: Record<ProjectionCondition, { label: string; badge: string }> = {
  idle: { label: 'Всё обработано', badge: 'badge-active' },
  working: { label: 'Обрабатывает', badge: 'badge-pending' },
  rebuilding: { label: 'Перестраивается', badge: 'badge-pending' },
  retrying: { label: 'Повторяет после ошибки', badge: 'badge-pending' },
  stuck: { label: 'Стоит', badge: 'badge-suspended' },
  failing: { label: 'Не может применить событие', badge: 'badge-suspended' },
  'not started': { label: 'Не запускалась', badge: '' },
  unknown: { label: 'Неизвестно', badge: '' },
};

/** What an operator does about each condition, in the words of the admin page. */
export function advice(p: ProjectionOverview, timeZone = DEFAULT_TIME_ZONE): string {
  const retry = p.failure?.nextRetryAt
    ? ` Следующая попытка — ${formatDateTime(p.failure.nextRetryAt, timeZone, { seconds: true })}.`
    : '';
  switch (p.condition) {
    case 'failing':
      return (
        `Обработчик проекции падает на одном и том же событии уже ${p.failure?.attempts ?? 0} раз подряд. ` +
        'Откройте событие и ошибку: обычно это значение, которое не помещается в таблицу, или ошибка в коде проекции. ' +
        'Исправьте причину (выпустите исправление — миграцию или код — или исправьте данные): ' +
        'проекция повторяет событие сама с растущей паузой (до 30 с) и продолжит, как только оно пройдёт. ' +
        `Остальные проекции работают.${retry}`
      );
    case 'retrying':
      return `Временная ошибка (например, недоступна база). Проекция повторяет сама с растущей паузой; если ошибка не проходит, проверьте базу и журнал worker.${retry}`;
    case 'stuck':
      return `Проекция отстаёт и не продвигалась больше ${STUCK_AFTER_MS / 1000} с. Проверьте, что процесс worker запущен (npm run worker) и его журнал.`;
    case 'working':
      return 'Догоняет хранилище событий: отставание уменьшается само.';
    case 'rebuilding':
      return 'Таблицы строятся заново (evosync replay или новая версия проекции); страницы покажут данные полностью, когда перестройка закончится.';
    case 'not started':
      return 'Проекция ещё не запускалась: запустите worker.';
    case 'idle':
      return 'Ничего делать не нужно.';
    case 'unknown':
      return 'Хранилище событий не ответило, где его конец: смотрите проверку eventstore в /health.';
    default: {
      const _never: never = p.condition;
      return _never;
    }
  }
}

/**
 * The projections as MariaDB and the event store see them: condition, lag, the event a
 * projection is stuck on and what to do. Same permission as the job monitor: both are the
 * operator's view of the background work.
 */
export function adminProjectionsRoutes(deps: {
  sequelize: Sequelize;
  store: EventStore;
  names: () => string[];
}): Router {
  const r = Router();
  r.use('/admin/projections', requirePermission('admin.jobs'));
  r.get('/admin/projections', async (_req, res) => {
    let overview: Awaited<ReturnType<typeof projectionOverview>> | null = null;
    let unavailable: string | null = null;
    try {
      overview = await projectionOverview(deps.sequelize, deps.store, deps.names());
    } catch (error) {
      // The page that would tell the operator must not fail with what it reports on.
      unavailable = error instanceof Error ? error.message : String(error);
    }
    res.render('admin/projections', {
      title: 'Проекции',
      head: overview?.head ?? null,
      projections: (overview?.projections ?? []).map((p) => ({
        ...p,
        label: CONDITIONS[p.condition],
        advice: advice(p, pageFormat(res).timeZone),
      })),
      unavailable,
      poisonAfter: POISON_AFTER_ATTEMPTS,
    });
  });
  return scoped('/admin/projections', r);
}
