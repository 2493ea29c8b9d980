import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { StaleRevisionError } from '../../application/commands/command-handler.js';
import type { Position } from '../../application/ports/event-store.js';
import { enqueueSyncJob, rescheduleOwnRun, SYNC_JOBS } from '../../application/sync/sync-jobs.js';
import { mirrorDecider } from '../../domain/mirror/decide.js';
import { mirrorStream } from '../../domain/mirror/events.js';
import { DomainError } from '../../domain/shared/decider.js';
import { syncConfigDecider, type SyncConfigCommand } from '../../domain/sync-config/decide.js';
import {
  CONFIGURABLE_FIELDS,
  SYNC_TASKS,
  syncConfigStream,
} from '../../domain/sync-config/events.js';
import { loadSyncConfig } from '../../application/sync/desired-state.js';
import { parsePriceMultiplier } from '../../domain/sync-config/price-multiplier.js';
import { requirePermission } from '../auth/current-user.js';
import type { DashboardDeps } from '../dashboard/deps.js';
import { flash, parseForm, refusalToErrors, type FieldErrors } from '../forms.js';
import { loadSyncConfigView, userStoreIds } from './queries.js';
import { loadSyncPage } from './page.js';
import { CHANGED_SINCE_PREVIEW, loadPreview } from './preview.js';
import { progressJson } from './progress-json.js';
import { loadCaptchaNotice } from './captcha.js';
import { loadLag } from './lag.js';
import { scoped } from '../scoped.js';
import { pageFormat } from '../shared/format.js';
import {
  stockDefaults,
  stockFormValues,
  stockSettingsCommands,
  stockSettingsShape,
} from './stock-settings.js';

export const STALE_SETTINGS =
  'Настройки изменились, пока страница была открыта (например, в другой вкладке). ' +
  'Ниже — текущие значения; проверьте их и сохраните ещё раз.';

const checkbox = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => v !== undefined && v !== '' && v !== '0');

/** The multiplier is checked by the domain's own parser, so the form and the decider agree. */
const settingsSchema = z.object({
  priceMultiplier: z
    .string({ error: 'Укажите множитель цены.' })
    .trim()
    .min(1, 'Укажите множитель цены.')
    .superRefine((value, ctx) => {
      try {
        parsePriceMultiplier(value);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        ctx.addIssue({ code: 'custom', message: error.message });
      }
    }),
  revision: z.coerce.number().int().min(-1),
  refresh_catalog: checkbox,
  refresh_vk_catalog: checkbox,
  mirror_to_vk: checkbox,
  ...stockSettingsShape,
});

const owner = z.enum(['evosync', 'vk'], { error: 'Выберите, кто управляет полем.' });
const ownershipSchema = z.object({ description: owner, photos: owner });

const uid = (req: Request) => req.currentUser!.id;

export function syncRoutes(deps: DashboardDeps): Router {
  const r = Router();
  r.use('/sync', requirePermission('sync.use'));

  const config = (req: Request, command: SyncConfigCommand, expectedRevision?: number) =>
    deps.commands.handle(syncConfigDecider, syncConfigStream(uid(req)), command, {
      actor: uid(req),
      ...(expectedRevision !== undefined ? { expectedRevision } : {}),
    });
  const settled = (position: Position | null, projection: string) =>
    deps.readModel.waitFor(position, [projection]);

  const settings = {
    categoryId: deps.config.VK_CATEGORY_ID,
    stockAmount: deps.config.VK_STOCK_AMOUNT,
  };
  const preview = (userId: string) =>
    loadPreview({ sequelize: deps.sequelize, eventStore: deps.eventStore, settings }, userId);

  const render = async (
    req: Request,
    res: Response,
    extra: { status?: number; errors?: FieldErrors; values?: Record<string, unknown> } = {},
  ) => {
    const [page, config, lag] = await Promise.all([
      loadSyncPage(deps, uid(req)),
      // Read from the stream itself: the read model has no columns for it, and it is one user's.
      loadSyncConfig(deps.eventStore, uid(req)),
      loadLag(deps.sequelize, uid(req)),
    ]);
    // Before confirming, the owner sees what the first push will do (the push's own planner).
    const confirming = page.config.status !== 'active' && page.storeCount > 0;
    const captcha = await loadCaptchaNotice(deps.sequelize, uid(req), page.captchaPause);
    res.status(extra.status ?? 200).render('sync/show', {
      title: 'Синхронизация',
      ...page,
      preview: confirming ? await preview(uid(req)) : null,
      ownership: config.ownership,
      stockDefaults: stockDefaults(deps.config),
      captcha,
      lag,
      errors: extra.errors ?? {},
      values: extra.values ?? { ...page.formValues, ...stockFormValues(config) },
    });
  };

  r.get('/sync', (req, res) => render(req, res));

  // Polled by the page every few seconds (see docs/architecture.md, «Ход синхронизации»).
  r.get('/sync/progress', async (req, res) => {
    const page = await loadSyncPage(deps, uid(req));
    res.set('Cache-Control', 'no-store').json(progressJson(page, pageFormat(res)));
  });

  r.post('/sync/toggle', async (req, res) => {
    const enable = String((req.body as Record<string, unknown>).enabled ?? '') === '1';
    const userId = uid(req);
    const result = await config(req, { type: enable ? 'EnableSync' : 'DisableSync', userId });
    await settled(result.position, 'sync-configs');
    flash(req, 'success', enable ? 'Синхронизация включена.' : 'Синхронизация выключена.');
    res.redirect(303, '/sync');
  });

  r.post('/sync/confirm', async (req, res) => {
    const userId = uid(req);
    const storeIds = await userStoreIds(deps.sequelize, userId);
    // The owner confirms the plan they saw: a different plan now is shown to them first.
    const seen = String((req.body as Record<string, unknown>).preview ?? '');
    const current = storeIds.length > 0 ? await preview(userId) : null;
    if (current && seen !== current.fingerprint) {
      return render(req, res, { status: 409, errors: { _form: CHANGED_SINCE_PREVIEW } });
    }
    try {
      const result = await config(req, { type: 'ConfirmSync', userId, storeIds });
      await settled(result.position, 'sync-configs');
      flash(req, 'success', 'Синхронизация подтверждена и запущена.');
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      flash(req, 'error', error.message);
    }
    res.redirect(303, '/sync');
  });

  r.post('/sync/settings', async (req, res) => {
    const form = parseForm(settingsSchema, req.body);
    if (!form.ok)
      return render(req, res, { status: 422, errors: form.errors, values: form.values });
    const userId = uid(req);
    const { priceMultiplier, revision } = form.data;
    const commands: SyncConfigCommand[] = [
      { type: 'SetPriceMultiplier', userId, multiplier: priceMultiplier },
      ...SYNC_TASKS.map((task): SyncConfigCommand => ({
        type: 'ToggleSyncTask',
        userId,
        task,
        enabled: form.data[task],
      })),
      ...stockSettingsCommands(userId, form.data, await loadSyncConfig(deps.eventStore, userId)),
    ];
    try {
      const result = await deps.commands.handleMany(
        syncConfigDecider,
        syncConfigStream(userId),
        commands,
        { actor: userId, expectedRevision: revision },
      );
      for (const event of result.events) {
        if (event.type === 'RunIntervalChanged')
          await rescheduleOwnRun(deps.scheduler, userId, event.data.seconds);
      }
      await settled(result.position, 'sync-configs');
    } catch (error) {
      if (error instanceof StaleRevisionError) {
        // The current values replace the submitted ones: nothing is overwritten silently.
        return render(req, res, { status: 409, errors: { _form: STALE_SETTINGS } });
      }
      const errors = refusalToErrors(error);
      if (!errors) throw error;
      return render(req, res, { status: 422, errors, values: req.body as Record<string, unknown> });
    }
    flash(req, 'success', 'Настройки сохранены.');
    res.redirect(303, '/sync');
  });

  r.post('/sync/ownership', async (req, res) => {
    const form = parseForm(ownershipSchema, req.body);
    if (!form.ok) return render(req, res, { status: 422, errors: form.errors });
    const userId = uid(req);
    const result = await deps.commands.handleMany(
      syncConfigDecider,
      syncConfigStream(userId),
      CONFIGURABLE_FIELDS.map((field): SyncConfigCommand => ({
        type: 'SetFieldOwnership',
        userId,
        field,
        owner: form.data[field],
      })),
      { actor: userId },
    );
    // The mirror saga pushes after the change: a field given back to EvoSync is set again.
    await settled(result.position, 'sync-configs');
    flash(req, 'success', 'Настройки полей сохранены.');
    res.redirect(303, '/sync');
  });

  r.post('/sync/resume', async (req, res) => {
    const userId = uid(req);
    const result = await deps.commands.handle(
      mirrorDecider,
      mirrorStream(userId),
      { type: 'ResumeVkPush', userId },
      { actor: userId },
    );
    await settled(result.position, 'vk-mirror');
    if (result.events.length > 0) {
      // The paused push stopped mid-way; the next run picks up what is left.
      await enqueueSyncJob(deps.scheduler, SYNC_JOBS.vkPush, userId);
      flash(req, 'success', 'Выгрузка в VK продолжится в ближайшие минуты.');
    } else {
      flash(req, 'info', 'Выгрузка в VK не была приостановлена.');
    }
    res.redirect(303, '/sync');
  });

  r.post('/sync/now', async (req, res) => {
    const userId = uid(req);
    const current = await loadSyncConfigView(deps.sequelize, userId);
    if (current.status !== 'active') {
      flash(req, 'error', 'Синхронизация не запущена: включите её и подтвердите.');
      return res.redirect(303, '/sync');
    }
    // The fetch enqueues the VK fetch; differences reach VK through the mirror saga.
    await enqueueSyncJob(deps.scheduler, SYNC_JOBS.evotorFetch, userId);
    flash(req, 'success', 'Синхронизация поставлена в очередь и начнётся в ближайшее время.');
    res.redirect(303, '/sync');
  });

  return scoped('/sync', r);
}
