import { Router } from 'express';
import type { Sequelize } from 'sequelize';
import { requirePermission } from '../auth/current-user.js';
import { pageOf, queryString } from '../forms.js';
import { page, Where } from './queries.js';
import { scoped } from '../scoped.js';

const PAGE_SIZE = 50;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

interface ApiLogRow {
  id: number;
  at: Date;
  service: string;
  method: string;
  url: string;
  status: number | null;
  error_code: string | null;
  duration_ms: number | null;
  request_excerpt: string | null;
  response_excerpt: string | null;
  user_id: string | null;
}

/** The API request log (`api_request_log`, written by the Evotor and VK clients). */
export function adminLogsRoutes({ sequelize }: { sequelize: Sequelize }): Router {
  const r = Router();
  r.use('/admin/logs', requirePermission('admin.logs'));

  r.get('/admin/logs', async (req, res) => {
    const f = {
      service: queryString(req, 'service'),
      user: queryString(req, 'user'),
      status: queryString(req, 'status'),
      date: queryString(req, 'date'),
    };
    const where = new Where();
    if (f.service) where.add('service = ?', f.service);
    if (f.user) where.add('user_id = ?', f.user);
    if (f.status === 'errors')
      where.add('(status IS NULL OR status >= 400 OR error_code IS NOT NULL)');
    else if (/^\d{3}$/.test(f.status)) where.add('status = ?', Number(f.status));
    if (DAY.test(f.date))
      where.add(
        'at >= ? AND at < DATE_ADD(?, INTERVAL 1 DAY)',
        `${f.date} 00:00:00`,
        `${f.date} 00:00:00`,
      );
    const { page: n, offset } = pageOf(req, PAGE_SIZE);
    let result: { rows: ApiLogRow[]; total: number } = { rows: [], total: 0 };
    let missing = false;
    try {
      result = await page<ApiLogRow>(
        sequelize,
        'api_request_log',
        where,
        '*',
        'id DESC',
        PAGE_SIZE,
        offset,
      );
    } catch (error) {
      // The table belongs to the API clients' migration; until it exists the page says so.
      if (!/doesn't exist/i.test(String((error as Error).message))) throw error;
      missing = true;
    }
    res.render('admin/logs', {
      title: 'Журнал запросов к API',
      filters: f,
      missing,
      ...result,
      page: n,
      pages: Math.max(1, Math.ceil(result.total / PAGE_SIZE)),
    });
  });
  return scoped('/admin/logs', r);
}
