import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { StaleRevisionError } from '../../application/commands/command-handler.js';
import { syncConfigDecider, type SyncConfigCommand } from '../../domain/sync-config/decide.js';
import { syncConfigStream, type FilterEntityType } from '../../domain/sync-config/events.js';
import { DomainError } from '../../domain/shared/decider.js';
import type { DashboardDeps } from '../dashboard/deps.js';
import { flash } from '../forms.js';
import { groupOf, productOf, rulesOf, storeOf } from './queries.js';
import { catalogRules } from './scope.js';
import { safeBack, userIdOf } from './context.js';

const filterForm = z.object({
  mode: z.enum(['include', 'exclude', 'clear']),
  revision: z.coerce.number().int().min(-1),
  back: z.string().max(2000).optional(),
});

/**
 * The products page's one form: each row's buttons are named by the mode they set and carry
 * their product's id, so exactly one of the three fields comes with a press.
 */
const productsPageForm = z
  .object({
    include: z.string().min(1).max(100).optional(),
    exclude: z.string().min(1).max(100).optional(),
    clear: z.string().min(1).max(100).optional(),
    revision: z.coerce.number().int().min(-1),
    back: z.string().max(2000).optional(),
  })
  .transform((form, ctx) => {
    const pressed = (['include', 'exclude', 'clear'] as const).filter((m) => form[m]);
    if (pressed.length !== 1) {
      ctx.addIssue({ code: 'custom', message: 'exactly one of include, exclude, clear' });
      return z.NEVER;
    }
    const mode = pressed[0]!;
    return { mode, productId: form[mode]!, revision: form.revision };
  });

/** The old toggles carried no revision: it is honoured when a newer form sends one. */
const toggleForm = z.object({
  revision: z.coerce.number().int().min(-1).optional(),
  back: z.string().max(2000).optional(),
});

interface Target {
  entityType: FilterEntityType;
  entityId: string;
  entityName: string;
  parentEntityId: string | null;
}

type Mode = z.infer<typeof filterForm>['mode'];

const DONE: Record<Mode, (name: string) => string> = {
  include: (name) => `«${name}» включён в синхронизацию.`,
  exclude: (name) => `«${name}» исключён из синхронизации.`,
  clear: (name) => `Правило для «${name}» снято: действует правило по умолчанию.`,
};

export function catalogFilterRoutes(deps: DashboardDeps): Router {
  const { sequelize } = deps;
  const r = Router();

  /** Sets or clears the rule through the sync-config stream, refusing a stale form. */
  async function apply(
    req: Request,
    res: Response,
    target: Target,
    mode: Mode,
    revision: number | undefined,
    fallback: string,
  ) {
    const userId = userIdOf(req);
    const back = safeBack((req.body as { back?: unknown } | undefined)?.back, fallback);
    const command: SyncConfigCommand =
      mode === 'clear'
        ? {
            type: 'ClearFilterRule',
            userId,
            entityType: target.entityType,
            entityId: target.entityId,
          }
        : { type: 'SetFilterRule', userId, ...target, mode };
    try {
      const result = await deps.commands.handle(
        syncConfigDecider,
        syncConfigStream(userId),
        command,
        { actor: userId, ...(revision === undefined ? {} : { expectedRevision: revision }) },
      );
      await deps.readModel.waitFor(result.position, ['sync-configs']);
      flash(req, 'success', DONE[mode](target.entityName));
    } catch (error) {
      if (error instanceof StaleRevisionError || error instanceof DomainError) {
        flash(req, 'error', error.message);
      } else throw error;
    }
    res.redirect(303, back);
  }

  const badForm = (res: Response) =>
    res.status(400).render('error', {
      title: 'Неверный запрос',
      status: 400,
      message: 'Форма заполнена неверно. Обновите страницу и повторите.',
    });
  const missing = (res: Response, what: string) =>
    res.status(404).render('error', { title: 'Не найдено', status: 404, message: what });

  const storeTarget = async (req: Request): Promise<Target | null> => {
    const store = await storeOf(sequelize, userIdOf(req), String(req.params.id));
    return (
      store && {
        entityType: 'store',
        entityId: store.store_id,
        entityName: store.name,
        parentEntityId: null,
      }
    );
  };
  const groupTarget = async (req: Request): Promise<Target | null> => {
    const group = await groupOf(
      sequelize,
      userIdOf(req),
      String(req.params.id),
      String(req.params.gid),
    );
    return (
      group && {
        entityType: 'group',
        entityId: group.group_id,
        entityName: group.name,
        parentEntityId: String(req.params.id),
      }
    );
  };

  const storesPath = '/catalog/stores';
  const groupsPath = (req: Request) =>
    `/catalog/stores/${encodeURIComponent(String(req.params.id))}/groups`;

  r.post('/catalog/stores/:id/filter', async (req, res) => {
    const form = filterForm.safeParse(req.body);
    if (!form.success) return badForm(res);
    const target = await storeTarget(req);
    if (!target) return missing(res, 'Магазин не найден.');
    await apply(req, res, target, form.data.mode, form.data.revision, storesPath);
  });

  r.post('/catalog/stores/:id/groups/:gid/filter', async (req, res) => {
    const form = filterForm.safeParse(req.body);
    if (!form.success) return badForm(res);
    const target = await groupTarget(req);
    if (!target) return missing(res, 'Группа не найдена.');
    await apply(req, res, target, form.data.mode, form.data.revision, groupsPath(req));
  });

  const productTarget = async (req: Request, productId: string): Promise<Target | null> => {
    const product = await productOf(sequelize, userIdOf(req), String(req.params.id), productId);
    return (
      product && {
        entityType: 'product',
        entityId: product.product_id,
        entityName: product.name,
        parentEntityId: product.group_id,
      }
    );
  };
  const productsPath = (req: Request) =>
    `/catalog/stores/${encodeURIComponent(String(req.params.id))}/products`;

  r.post('/catalog/stores/:id/products/filter', async (req, res) => {
    const form = productsPageForm.safeParse(req.body);
    if (!form.success) return badForm(res);
    const target = await productTarget(req, form.data.productId);
    if (!target) return missing(res, 'Товар не найден.');
    await apply(req, res, target, form.data.mode, form.data.revision, productsPath(req));
  });

  r.post('/catalog/stores/:id/products/:pid/filter', async (req, res) => {
    const form = filterForm.safeParse(req.body);
    if (!form.success) return badForm(res);
    const target = await productTarget(req, String(req.params.pid));
    if (!target) return missing(res, 'Товар не найден.');
    await apply(req, res, target, form.data.mode, form.data.revision, productsPath(req));
  });

  /** The old on/off toggles: on is `include`, off clears the rule. */
  const toggle =
    (find: (req: Request) => Promise<Target | null>, fallback: (req: Request) => string) =>
    async (req: Request, res: Response) => {
      const form = toggleForm.safeParse(req.body);
      if (!form.success) return badForm(res);
      const target = await find(req);
      if (!target) return missing(res, 'Не найдено.');
      const rules = catalogRules(await rulesOf(sequelize, userIdOf(req)));
      const on = rules.ruleOf(target.entityType, target.entityId) === 'include';
      await apply(req, res, target, on ? 'clear' : 'include', form.data.revision, fallback(req));
    };
  r.post(
    '/catalog/stores/:id/toggle',
    toggle(storeTarget, () => storesPath),
  );
  r.post('/catalog/stores/:id/groups/:gid/toggle', toggle(groupTarget, groupsPath));
  return r;
}
