import type { Sequelize } from 'sequelize';
import type { SyncTask } from '../../domain/sync-config/events.js';
import type { SyncStatus } from '../../domain/sync-config/state.js';
import {
  loadConnectionViews,
  loadRulesSummary,
  loadSyncConfigView,
  userStoreIds,
} from './queries.js';
import {
  loadMirrorStatus,
  loadRecentFailures,
  loadRecentRuns,
  VK_AUTH_ERROR,
  VK_CAPTCHA,
} from './runs.js';

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

/** Everything the /sync page shows, read from the projections. */
export async function loadSyncPage(sequelize: Sequelize, userId: string) {
  const [config, connections, rules, storeIds, mirror, runs, failures] = await Promise.all([
    loadSyncConfigView(sequelize, userId),
    loadConnectionViews(sequelize, userId),
    loadRulesSummary(sequelize, userId),
    userStoreIds(sequelize, userId),
    loadMirrorStatus(sequelize, userId),
    loadRecentRuns(sequelize, userId),
    loadRecentFailures(sequelize, userId),
  ]);

  const warnings: Warning[] = [];
  const reconnect = { href: '/connections', label: 'Открыть подключения' };
  if (!connections.evotor.connected) {
    warnings.push({ text: 'Эвотор не подключён: каталог не загружается.', link: reconnect });
  } else if (connections.evotor.healthy === false) {
    warnings.push({
      text: `Подключение к Эвотор не работает${connections.evotor.reason ? `: ${connections.evotor.reason}` : ''}.`,
      link: reconnect,
    });
  }
  if (!connections.vk.connected) {
    warnings.push({ text: 'VK не подключён: товары некуда выгружать.', link: reconnect });
  } else if (connections.vk.healthy === false) {
    warnings.push({
      text: `Подключение к VK не работает${connections.vk.reason ? `: ${connections.vk.reason}` : ''}. Подключите сообщество заново.`,
      link: reconnect,
    });
  }
  if (connections.evotor.connected && storeIds.length === 0) {
    warnings.push({
      text: 'Магазины Эвотор ещё не загружены: подтвердить синхронизацию пока нельзя.',
    });
  }

  // The push marks the connection unhealthy on error 5; a reconnect makes it healthy again.
  const tokenRefused = connections.vk.connected && connections.vk.healthy === false;
  return {
    config,
    statusLabel: STATUS_LABELS[config.status],
    taskLabels: TASK_LABELS,
    connections,
    warnings,
    rules,
    storeCount: storeIds.length,
    mirror,
    captchaPause: mirror.paused,
    tokenRefused,
    captchaCode: VK_CAPTCHA,
    authCode: VK_AUTH_ERROR,
    runs,
    failures,
    formValues: {
      priceMultiplier: config.priceMultiplier,
      revision: config.revision,
      ...config.tasks,
    } as Record<string, unknown>,
  };
}
