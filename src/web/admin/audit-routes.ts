import { Router, type Request } from 'express';
import { QueryTypes, type Sequelize } from 'sequelize';
import { requirePermission } from '../auth/current-user.js';
import { pageOf, queryString } from '../forms.js';
import { page, Where } from './queries.js';
import { scoped } from '../scoped.js';

const PAGE_SIZE = 50;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

interface AuditRow {
  event_id: string;
  position: number;
  stream_id: string;
  revision: number;
  type: string;
  actor: string;
  correlation_id: string | null;
  causation_id: string | null;
  occurred_at: Date;
  data: string;
  metadata: string;
}

function filters(req: Request) {
  const f = {
    user: queryString(req, 'user'),
    stream: queryString(req, 'stream'),
    type: queryString(req, 'type'),
    from: queryString(req, 'from'),
    to: queryString(req, 'to'),
  };
  const where = new Where();
  // "by user": what the user did, and what happened to the user's own stream.
  if (f.user) where.add('(actor = ? OR stream_id = ?)', f.user, `user-${f.user}`);
  if (f.stream) where.add('stream_id = ?', f.stream);
  if (f.type) where.add('type = ?', f.type);
  if (DAY.test(f.from)) where.add('occurred_at >= ?', `${f.from} 00:00:00`);
  if (DAY.test(f.to)) where.add('occurred_at < DATE_ADD(?, INTERVAL 1 DAY)', `${f.to} 00:00:00`);
  return { f, where };
}

export function adminAuditRoutes({ sequelize }: { sequelize: Sequelize }): Router {
  const r = Router();
  r.use('/admin/audit', requirePermission('admin.audit'));

  r.get('/admin/audit', async (req, res) => {
    const { f, where } = filters(req);
    const { page: n, offset } = pageOf(req, PAGE_SIZE);
    const result = await page<AuditRow>(
      sequelize,
      'audit_log',
      where,
      '*',
      'position DESC, prepare DESC',
      PAGE_SIZE,
      offset,
    );
    const types = await sequelize.query<{ type: string }>(
      'SELECT DISTINCT type FROM audit_log ORDER BY type',
      {
        type: QueryTypes.SELECT,
      },
    );
    res.render('admin/audit', {
      title: 'Журнал событий',
      filters: f,
      types: types.map((t) => t.type),
      ...result,
      page: n,
      pages: Math.max(1, Math.ceil(result.total / PAGE_SIZE)),
    });
  });

  r.get('/admin/audit/:eventId', async (req, res) => {
    const rows = await sequelize.query<AuditRow>('SELECT * FROM audit_log WHERE event_id = ?', {
      replacements: [req.params.eventId],
      type: QueryTypes.SELECT,
    });
    const event = rows[0];
    if (!event)
      return res.status(404).render('error', {
        title: 'Нет такого события',
        status: 404,
        message: 'Событие не найдено.',
      });
    const pretty = (s: string) => JSON.stringify(JSON.parse(s), null, 2);
    res.render('admin/audit-event', {
      title: event.type,
      event,
      data: pretty(event.data),
      metadata: pretty(event.metadata),
    });
  });
  return scoped('/admin/audit', r);
}
