import { QueryTypes, type Sequelize } from 'sequelize';
import type { SyncTask } from '../../domain/sync-config/events.js';
import type { SyncStatus } from '../../domain/sync-config/state.js';
import {
  loadConnectionViews,
  loadRulesSummary,
  loadSyncConfigView,
  userStoreIds,
} from './queries.js';
import type { Scheduler } from '../../application/ports/scheduler.js';
import { loadActivity, type Activity } from './activity.js';
import { loadScopeCounts } from './scope-counts.js';
import { loadMirrorStatus, loadOwnerFailures, loadRecentRuns } from './runs.js';

export const STATUS_LABELS: Record<SyncStatus, string> = {
  not_configured: 'Не настроено',
  awaiting_confirmation: 'Настроено, ожидает подтверждения',
  active: 'Активна',
};

export const TASK_LABELS: Record<SyncTask, { label: string; hint: string }> = {
  refresh_catalog: {
    label: 'Обновлять каталог Эвотор',
    hint: 'Загружать магазины, группы и товары из Эвотор.',
  },
  refresh_vk_catalog: {
    label: 'Обновлять каталог VK',
    hint: 'Загружать подборки и товары сообщества VK, чтобы видеть изменения на стороне VK.',
  },
  mirror_to_vk: {
    label: 'Выгружать товары в VK',
    hint: 'Создавать, изменять и скрывать товары VK Маркета по каталогу Эвотор.',
  },
};

export type Warning = { text: string; link?: { href: string; label: string } };

/**
 * Everything the /sync page shows: the projections, and from the scheduler whether a fetch runs
 * and when the next run is.
 */
export async function loadSyncPage(
  deps: { sequelize: Sequelize; scheduler: Scheduler },
  userId: string,
) {
  const { sequelize } = deps;
  const connections = await loadConnectionViews(sequelize, userId);
  const [config, rules, storeIds, mirror, runs, failures, scope, unpaid] = await Promise.all([
    loadSyncConfigView(sequelize, userId),
    loadRulesSummary(sequelize, userId),
    userStoreIds(sequelize, userId),
    loadMirrorStatus(sequelize, userId),
    loadRecentRuns(sequelize, userId),
    loadOwnerFailures(sequelize, userId, connections.vk.tokenKind ?? null),
    loadScopeCounts(sequelize, userId),
    unpaidStores(sequelize, userId),
  ]);
  const activity = await loadActivity(deps, userId, config.status === 'active');

  const warnings: Warning[] = [];
  const reconnect = { href: '/connections', label: 'Открыть подключения' };
  if (!connections.evotor.connected) {
    warnings.push({ text: 'Эвотор не подключён: каталог не загружается.', link: reconnect });
  }
  if (!connections.vk.connected) {
    warnings.push({ text: 'VK не подключён: товары некуда выгружать.', link: reconnect });
  }
  if (connections.evotor.connected && storeIds.length === 0) {
    warnings.push({
      text: 'Магазины Эвотор ещё не загружены: подтвердить синхронизацию пока нельзя.',
    });
  }

  // The push marks the connection unhealthy on error 5; a reconnect makes it healthy again.
  const tokenRefused = connections.vk.connected && connections.vk.healthy === false;
  const health = syncHealth({ connections, unpaid, paused: mirror.paused, activity });
  return {
    config,
    statusLabel: health.broken ? 'Не работает' : STATUS_LABELS[config.status],
    configLabel: STATUS_LABELS[config.status],
    health,
    activity,
    scope,
    taskLabels: TASK_LABELS,
    connections,
    warnings,
    rules,
    storeCount: storeIds.length,
    mirror,
    captchaPause: mirror.paused,
    tokenRefused,
    runs,
    failures,
    formValues: {
      priceMultiplier: config.priceMultiplier,
      revision: config.revision,
      ...config.tasks,
    } as Record<string, unknown>,
  };
}

async function unpaidStores(sequelize: Sequelize, userId: string): Promise<string[]> {
  const rows = await sequelize.query<{ name: string }>(
    `SELECT name FROM cached_stores WHERE user_id = ? AND lost = 0 AND access = 'payment_required'
      ORDER BY name`,
    { replacements: [userId], type: QueryTypes.SELECT },
  );
  return rows.map((r) => r.name);
}

/**
 * Whether the sync is broken, and why, in words for the owner: a refused token, an unpaid store,
 * the captcha pause, a push stopped by an error. Any of them turns the status red, whatever the
 * configuration says. The texts are plain strings, so a shared owner-message mapping can
 * replace them in one place.
 */
export function syncHealth(input: {
  connections: Awaited<ReturnType<typeof loadConnectionViews>>;
  unpaid: string[];
  paused: boolean;
  activity: Activity;
}): { broken: boolean; reasons: Warning[] } {
  const { connections, unpaid, paused, activity } = input;
  const reconnect = { href: '/connections', label: 'Подключения' };
  const reasons: Warning[] = [];
  if (connections.vk.connected && connections.vk.healthy === false)
    reasons.push({
      text: 'VK отклонил ключ доступа: товары не выгружаются. Подключите сообщество VK заново.',
      link: reconnect,
    });
  if (connections.evotor.connected && connections.evotor.healthy === false)
    reasons.push({
      text: 'Эвотор отклонил токен: каталог не загружается. Переустановите приложение EvoSync в Эвотор.',
      link: reconnect,
    });
  if (unpaid.length > 0)
    reasons.push({
      text: `Приложение EvoSync не оплачено в Эвотор для магазина: ${unpaid.join(', ')}. Его товары не загружаются, пока оплата не возобновится.`,
    });
  if (paused)
    reasons.push({
      text: 'VK запросил капчу: выгрузка приостановлена. Подождите 10–15 минут и нажмите «Продолжить».',
    });
  const push = activity.push;
  if (push && !push.running && push.outcome === 'failed')
    reasons.push({ text: 'Последняя выгрузка в VK прервалась с ошибкой; она будет повторена.' });
  return { broken: reasons.length > 0, reasons };
}
