import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import {
  healthNoticeSaga,
  notifyHealthChange,
  SYNC_NOTICE_JOB,
  type NoticeDeps,
} from '../../src/application/sync/health-notices.js';
import { syncNoticesStream } from '../../src/domain/sync-notices/notices.js';
import { ConsoleMailer } from '../../src/infrastructure/mail/mailers.js';
import { emailFromUsersTable } from '../../src/infrastructure/mail/recipients.js';
import { connectVk } from '../support/shop-owner.js';
import { DashboardApp } from './dashboard-app.js';
import { OwnerSync } from './owner-sync.js';

let d: DashboardApp;
let shop: OwnerSync;
let userId: string;
const EMAIL = 'notices@example.test';

beforeAll(async () => {
  d = await DashboardApp.start('sync_notices');
  userId = (await d.owner(EMAIL)).userId;
  shop = await OwnerSync.start(d.c, userId, { products: 5 });
  await shop.fetchEvotor();
  await shop.enableAndConfirm();
  await shop.push();
}, 60_000);

afterAll(async () => {
  await shop?.stop();
  await d?.close();
});

/** A worker's notice deps; a new mailer stands for a restarted worker. */
const deps = (mailer: ConsoleMailer): NoticeDeps => ({
  store: d.c.eventStore,
  commands: d.c.commands,
  mailer,
  emailOf: emailFromUsersTable(d.c.sequelize),
  baseUrl: 'https://evosync.example',
});

describe('sync health notices', () => {
  it('sends nothing while the sync is healthy', async () => {
    const mailer = new ConsoleMailer();
    expect(await notifyHealthChange(deps(mailer), userId)).toBe(false);
    expect(mailer.outbox).toHaveLength(0);
    expect(await d.c.eventStore.readStream(syncNoticesStream(userId))).toHaveLength(0);
  });

  it('mails the owner once when VK refuses the token, however often it runs', async () => {
    const [product] = shop.evotor.admin.products(shop.storeIds[0]!);
    shop.evotor.admin.changeProduct(shop.storeIds[0]!, product!.id, { price: 4321 });
    await shop.fetchEvotor();
    shop.vk.admin.addFault({ code: 5, count: 1, method: 'market.edit' });
    expect((await shop.push()).outcome).toBe('auth_failed');
    await d.settle();

    const mailer = new ConsoleMailer();
    expect(await notifyHealthChange(deps(mailer), userId)).toBe(true);
    expect(await notifyHealthChange(deps(mailer), userId)).toBe(false);
    // A restarted worker (another mailer, the saga replayed) has nothing new to tell either.
    const restarted = new ConsoleMailer();
    expect(await notifyHealthChange(deps(restarted), userId)).toBe(false);
    expect(restarted.outbox).toHaveLength(0);

    expect(mailer.outbox).toHaveLength(1);
    const mail = mailer.outbox[0]!;
    expect(mail.to).toBe(EMAIL);
    expect(mail.subject).toBe('EvoSync: синхронизация не работает');
    expect(mail.text).toContain('VK отклонил ключ доступа к сообществу');
    expect(mail.text).toContain('https://evosync.example/sync');
    expect(mail.text).not.toContain(shop.vkToken);
  });

  it('tells the owner about a new problem on top (Evotor unpaid), then the recovery once', async () => {
    shop.evotor.admin.setPaymentRequired(shop.storeIds[0]!);
    await shop.fetchEvotor();
    const mailer = new ConsoleMailer();
    expect(await notifyHealthChange(deps(mailer), userId)).toBe(true);
    expect(mailer.outbox[0]!.text).toContain('не оплачено');
    expect(mailer.outbox[0]!.text).toMatch(/VK отклонил[^\n]*\(без изменений\)/);

    shop.evotor.admin.setPaymentRequired(shop.storeIds[0]!, false);
    await shop.fetchEvotor();
    // The owner connects VK again: the refusal is over.
    await connectVk(shop.commands, d.c.cipher, userId, {
      token: shop.vkToken,
      groupId: shop.vkGroupId,
      fingerprint: (t) => createHash('sha256').update(t).digest('hex'),
    });
    expect(await notifyHealthChange(deps(mailer), userId)).toBe(true);
    expect(await notifyHealthChange(deps(mailer), userId)).toBe(false);
    expect(mailer.outbox.map((m) => m.subject)).toEqual([
      'EvoSync: синхронизация не работает',
      'EvoSync: синхронизация снова работает',
    ]);
    const told = await d.c.eventStore.readStream(syncNoticesStream(userId));
    expect(told.map((e) => (e.data as { problems: string[] }).problems)).toEqual([
      ['vk_token_refused'],
      ['vk_token_refused', 'evotor_unpaid'],
      [],
    ]);
  });

  it('the saga wakes one notice job per user from the health events, and sends nothing itself', async () => {
    const events = (await d.c.eventStore.readStream(`vk-account-${userId}`)).filter(
      (e) => e.type === 'VkHealthChanged' || e.type === 'VkCommunityConnected',
    );
    expect(events.length).toBeGreaterThan(1);
    const saga = healthNoticeSaga(d.c.scheduler);
    expect(saga.eventTypes).toContain('VkHealthChanged');
    await saga.handle(events, undefined as never);
    const { jobs } = await d.c.scheduler.listJobs({ name: SYNC_NOTICE_JOB, limit: 10, skip: 0 });
    expect(jobs.filter((j) => j.data.userId === userId)).toHaveLength(1);
  });
});
