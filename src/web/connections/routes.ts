import { Router, type Request, type RequestHandler, type Response } from 'express';
import {
  ConnectionError,
  type Connections,
  type ConnectionTestResult,
} from '../../application/connections/index.js';
import type { Sequelize } from 'sequelize';
import { requirePermission } from '../auth/current-user.js';
import { flash, parseForm, refusalToErrors, renderForm, type FieldErrors } from '../forms.js';
import { connectionRows } from './queries.js';
import { evotorTokenForm, vkTokenForm } from './schemas.js';
import { vkOAuthRoutes } from './vk-oauth-routes.js';
import { scoped } from '../scoped.js';

export interface ConnectionRoutesDeps {
  connections: Connections;
  sequelize: Sequelize;
}

const PERMISSION = 'sync.use';
const VIEW = 'connections/index';

/** The JSON helpers answer JSON even when refused, so the page's script can show the reason. */
const jsonPermission: RequestHandler = (req, res, next) => {
  if (!req.currentUser)
    return void res.status(401).json({ error: 'unauthorized', message: 'Войдите в EvoSync.' });
  if (!req.currentUser.permissions.includes(PERMISSION))
    return void res
      .status(403)
      .json({ error: 'forbidden', message: 'У вашей учётной записи нет прав на этот раздел.' });
  next();
};

export const userId = (req: Request) => req.currentUser!.id;

/** The connections page and its forms: Evotor token, VK community, disconnect, checks. */
export function connectionRoutes(deps: ConnectionRoutesDeps): Router {
  const router = Router();
  const { connections } = deps;
  const page = requirePermission(PERMISSION);

  const show = async (
    req: Request,
    res: Response,
    form: { errors?: FieldErrors; values?: Record<string, unknown>; form?: string } = {},
    status = 200,
  ) => {
    const rows = await connectionRows(deps.sequelize, userId(req));
    // Tokens are never put back into the page: only the community number is kept.
    const values = form.values ? { groupId: form.values.groupId } : {};
    renderForm(
      res,
      VIEW,
      {
        title: 'Подключения',
        ...rows,
        vkOAuth: connections.vk.oauthConfigured,
        vkId: connections.vk.vkIdConfigured,
        form: form.form ?? null,
        errors: form.errors ?? {},
        values,
      },
      status,
    );
  };

  router.get('/connections', page, (req, res) => show(req, res));

  router.post('/connections/evotor', page, async (req, res) => {
    const parsed = parseForm(evotorTokenForm, req.body);
    if (!parsed.ok) return show(req, res, { ...parsed, form: 'evotor' }, 422);
    await connections.evotor.saveToken(userId(req), parsed.data.token);
    flash(
      req,
      'success',
      'Токен Эвотор сохранён. Нажмите «Проверить», чтобы убедиться, что он работает.',
    );
    res.redirect(303, '/connections');
  });

  router.post('/connections/evotor/disconnect', page, async (req, res) => {
    await connections.evotor.disconnect(userId(req));
    flash(req, 'success', 'Эвотор отключён.');
    res.redirect(303, '/connections');
  });

  router.post('/connections/vk', page, async (req, res) => {
    const parsed = parseForm(vkTokenForm, req.body);
    if (!parsed.ok) return show(req, res, { ...parsed, form: 'vk' }, 422);
    try {
      await connections.vk.connectWithToken(userId(req), parsed.data.token, parsed.data.groupId);
    } catch (error) {
      const errors =
        error instanceof ConnectionError
          ? { [error.field ?? '_form']: error.message }
          : refusalToErrors(error);
      if (!errors) throw error;
      return show(
        req,
        res,
        { errors, values: req.body as Record<string, unknown>, form: 'vk' },
        422,
      );
    }
    flash(req, 'success', 'Сообщество VK подключено.');
    res.redirect(303, '/connections');
  });

  router.post('/connections/vk/disconnect', page, async (req, res) => {
    await connections.vk.disconnect(userId(req));
    flash(req, 'success', 'VK отключён.');
    res.redirect(303, '/connections');
  });

  const testRoute = (path: string, run: (id: string) => Promise<ConnectionTestResult | null>) =>
    router.post(path, jsonPermission, async (req, res) => {
      const result = await run(userId(req));
      if (!result)
        return void res
          .status(404)
          .json({ error: 'not_connected', message: 'Подключение ещё не настроено.' });
      const { conclusive: _conclusive, ...answer } = result;
      res.json(answer);
    });
  testRoute('/connections/evotor/test', (id) => connections.evotor.test(id));
  testRoute('/connections/vk/test', (id) => connections.vk.test(id));

  router.use(vkOAuthRoutes({ connections, page }));
  return scoped('/connections', router);
}
