import { storesStream } from '../../domain/catalog/events.js';
import { storesDecider } from '../../domain/catalog/stores-decide.js';
import { evotorAccount, evotorAccountStream } from '../../domain/connections/evotor-account.js';
import { vkAccount, vkAccountStream } from '../../domain/connections/vk-account.js';
import { mirrorDecider } from '../../domain/mirror/decide.js';
import { mirrorStream } from '../../domain/mirror/events.js';
import {
  normalized,
  sameProblems,
  syncNotices,
  syncNoticesStream,
  type SyncProblem,
} from '../../domain/sync-notices/notices.js';
import type { CommandHandler } from '../commands/command-handler.js';
import { loadState, readState } from '../commands/load-state.js';
import type { EventStore } from '../ports/event-store.js';
import type { Mailer } from '../ports/mail.js';
import type { Projection } from '../projections/projection.js';
import type { JobHandler, Scheduler } from '../ports/scheduler.js';

export const SYNC_NOTICE_JOB = 'sync-health-notice';

/** The events after which the sync's health may differ: each wakes the notice job. */
export const HEALTH_TRIGGERS = [
  'VkHealthChanged',
  'VkCommunityConnected',
  'VkDisconnected',
  'EvotorHealthChanged',
  'EvotorTokenReceived',
  'EvotorDisconnected',
  'StoreAccessChanged',
  'StoreLost',
  'VkPushPaused',
  'VkPushResumed',
];

/** What is broken now, from the event streams themselves (never a lagging read model). */
export async function currentProblems(store: EventStore, userId: string): Promise<SyncProblem[]> {
  const [vk, evotor, stores, mirror] = await Promise.all([
    loadState(store, vkAccount, vkAccountStream(userId)),
    loadState(store, evotorAccount, evotorAccountStream(userId)),
    loadState(store, storesDecider, storesStream(userId)),
    readState(store, mirrorDecider, mirrorStream(userId)),
  ]);
  const problems: SyncProblem[] = [];
  if (vk.connection && vk.healthy === false) problems.push('vk_token_refused');
  if (evotor.tokenCiphertext && evotor.healthy === false) problems.push('evotor_token_refused');
  if ([...stores.stores.values()].some((s) => !s.lost && s.access === 'payment_required'))
    problems.push('evotor_unpaid');
  if (mirror.state.paused) problems.push('captcha_pause');
  return normalized(problems);
}

const PROBLEM_TEXT: Record<SyncProblem, string> = {
  vk_token_refused:
    'VK отклонил ключ доступа к сообществу: товары в VK не обновляются. Подключите сообщество VK заново на странице «Подключения».',
  evotor_token_refused:
    'Эвотор отклонил токен приложения: каталог не загружается. Переустановите приложение EvoSync в личном кабинете Эвотор.',
  evotor_unpaid:
    'Приложение EvoSync не оплачено в Эвотор для одного из магазинов: его товары не загружаются, пока оплата не возобновится.',
  captcha_pause:
    'VK запросил капчу, и выгрузка приостановлена. Подождите 10–15 минут и нажмите «Продолжить» на странице «Синхронизация».',
};

/** The email for a change of health; null when there is nothing to tell. */
export function noticeMail(
  problems: SyncProblem[],
  previous: SyncProblem[],
  syncUrl: string,
): { subject: string; text: string } | null {
  if (problems.length === 0) {
    if (previous.length === 0) return null;
    return {
      subject: 'EvoSync: синхронизация снова работает',
      text: `Синхронизация с VK снова работает: всё, что мешало, устранено.\n\nСостояние: ${syncUrl}\n`,
    };
  }
  const fresh = problems.filter((p) => !previous.includes(p));
  return {
    subject: 'EvoSync: синхронизация не работает',
    text: [
      'Синхронизация Эвотор → VK остановлена или работает не полностью:',
      '',
      ...problems.map((p) => `— ${PROBLEM_TEXT[p]}${fresh.includes(p) ? '' : ' (без изменений)'}`),
      '',
      `Подробности: ${syncUrl}`,
      '',
    ].join('\n'),
  };
}

export interface NoticeDeps {
  store: EventStore;
  commands: CommandHandler;
  mailer: Mailer;
  /** the owner's address (null: none known, nothing is sent) */
  emailOf(userId: string): Promise<string | null>;
  baseUrl: string;
}

/**
 * Compares the health now with what the owner was last told and, on a change, sends one email
 * and records it, expecting the notice stream's revision it read: two runs at once send at
 * most one more (the second's record is refused). The mail goes first: a crash between the two
 * sends it again on the next run rather than never.
 */
export async function notifyHealthChange(deps: NoticeDeps, userId: string): Promise<boolean> {
  const [problems, told] = await Promise.all([
    currentProblems(deps.store, userId),
    readState(deps.store, syncNotices, syncNoticesStream(userId)),
  ]);
  if (sameProblems(problems, told.state.problems)) return false;
  const mail = noticeMail(problems, told.state.problems, `${deps.baseUrl}/sync`);
  const to = await deps.emailOf(userId);
  if (mail && to) await deps.mailer.send({ to, ...mail });
  await deps.commands.handle(
    syncNotices,
    syncNoticesStream(userId),
    { type: 'RecordSyncHealthNotice', userId, problems },
    { actor: 'system', expectedRevision: told.revision },
  );
  return mail !== null && to !== null;
}

export function defineHealthNoticeJob(deps: NoticeDeps & { scheduler: Scheduler }): void {
  const handler: JobHandler<{ userId: string }> = async ({ userId }) => {
    await notifyHealthChange(deps, userId);
  };
  deps.scheduler.define(SYNC_NOTICE_JOB, handler, {
    retries: { maxRetries: 5, delayMs: 10_000, factor: 3 },
  });
}

/**
 * The notice saga: a checkpointed subscription (like the mirror saga) that wakes the notice job
 * of a user whose health may have changed. It sends nothing itself; replaying it only re-runs
 * jobs that find nothing new to tell.
 */
export function healthNoticeSaga(scheduler: Scheduler): Projection {
  return {
    name: 'sync-health-notices',
    version: 1,
    eventTypes: HEALTH_TRIGGERS,
    tables: [],
    async handle(events) {
      const users = new Set<string>();
      for (const event of events) {
        const userId = (event.data as { userId?: unknown }).userId;
        if (typeof userId === 'string') users.add(userId);
      }
      for (const userId of users)
        await scheduler.enqueue(
          SYNC_NOTICE_JOB,
          { userId },
          { uniqueKey: `${SYNC_NOTICE_JOB}:${userId}` },
        );
    },
  };
}
