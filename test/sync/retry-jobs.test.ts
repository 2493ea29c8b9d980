/**
 * The jobs around the push: a failing product's retry is enqueued for its retry time (no
 * throw-to-retry, no hot loop), and the periodic pipeline pushes for a user whose mirror has
 * drift even when Evotor did not change.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { LocalMutex } from '../../src/application/ports/mutex.js';
import { defineSyncJobs, SYNC_JOBS } from '../../src/application/sync/jobs.js';
import { pushRetryKey } from '../../src/application/sync/sync-jobs.js';
import { mirrorNeedsPush } from '../../src/application/sync/mirror-attention.js';
import type { VkMarketGateway } from '../../src/application/sync/ports.js';
import { MemoryScheduler } from '../support/memory-scheduler.js';
import type { SyncHarness } from '../support/sync-harness.js';
import { SETTINGS } from '../support/sync-settings.js';
import { useSyncHarnesses } from '../support/sync-harnesses.js';

const harnesses = useSyncHarnesses('retry_jobs');

const silent = { info: () => undefined, warn: () => undefined };

async function jobsFor(h: SyncHarness) {
  const scheduler = new MemoryScheduler({ now: h.clock });
  const gateway: VkMarketGateway = await h.gateway();
  const photo = await readFile('assets/default_product.png');
  defineSyncJobs({
    store: harnesses.store,
    commands: h.commands,
    cipher: h.cipher,
    scheduler,
    mutex: new LocalMutex(),
    gateways: {
      evotor: () => {
        throw new Error('not in this test');
      },
      evotorImages: () => ({ download: async (url) => (await h.images()).download(url) }),
      vk: () => gateway,
    },
    eligibleUsers: async () => [h.userId],
    settings: SETTINGS,
    defaultPhoto: async () => ({ file: photo, filename: 'default_product.png' }),
    logger: silent,
  });
  const pending = async (name: string) =>
    (await scheduler.listJobs({ name, limit: 100, skip: 0 })).jobs;
  return { scheduler, pending };
}

async function synced() {
  const h = await harnesses.start({ products: 10 });
  await h.fetchEvotor();
  await h.enableAndConfirm();
  await h.pushUntilSettled();
  return h;
}

describe('retries and the pipeline', () => {
  it('a push with a failing product ends well and enqueues the next push for its retry time (1 min), not a job retry', async () => {
    const h = await synced();
    const product = h.evotor.admin.products(h.storeIds[0]!)[0]!;
    h.evotor.admin.changeProduct(h.storeIds[0]!, product.id, { price: 432.1 });
    await h.fetchEvotor();
    h.vk.admin.addFault({ code: 10, count: 1_000, method: 'market.edit' });
    const { scheduler, pending } = await jobsFor(h);
    await scheduler.enqueue(SYNC_JOBS.vkPush, { userId: h.userId });
    const run = await scheduler.runPending();
    expect(run).toEqual({ ran: 1, failed: 0 });
    const [retry] = await pending(SYNC_JOBS.vkPush);
    expect(retry).toMatchObject({ uniqueKey: pushRetryKey(h.userId), failCount: 0 });
    const wait = retry!.nextRunAt!.getTime() - h.clock().getTime();
    expect(wait).toBeGreaterThan(50_000);
    expect(wait).toBeLessThanOrEqual(60_000);
  });

  it('the pipeline pushes for a user whose VK drifted, without an Evotor change', async () => {
    const h = await synced();
    h.advance(1_000);
    await h.fetchVk();
    const { scheduler, pending } = await jobsFor(h);
    await scheduler.enqueue(SYNC_JOBS.pipeline, {});
    await scheduler.runPending();
    expect(await pending(SYNC_JOBS.vkPush)).toEqual([]);

    const item = h.visibleItems()[0]!;
    h.vk.admin.changeItem(item.id, { title: 'Изменено вручную' });
    h.advance(1_000);
    await h.fetchVk();
    // As the pipeline runs with the saga's push already done: only the check can ask again.
    await scheduler.enqueue(SYNC_JOBS.pipeline, {});
    await scheduler.runPending();
    expect(h.vk.admin.item(item.id)!.title).toBe(item.title);
  });
});

describe('no loop for a failure with nothing left to send', () => {
  it('a failed edit whose change was undone in Evotor schedules no retry push', async () => {
    const h = await synced();
    const product = h.evotor.admin.products(h.storeIds[0]!)[0]!;
    h.evotor.admin.changeProduct(h.storeIds[0]!, product.id, { price: 432.1 });
    await h.fetchEvotor();
    h.vk.admin.addFault({ code: 10, count: 1_000, method: 'market.edit' });
    // Failed a minute and a second ago (the job below runs on the real clock): its retry is due.
    h.advance(-61_000);
    expect((await h.push()).failed).toBe(1);
    h.vk.admin.clearFaults();
    h.evotor.admin.changeProduct(h.storeIds[0]!, product.id, { price: product.price });
    await h.fetchEvotor();
    const { scheduler, pending } = await jobsFor(h);
    await scheduler.enqueue(SYNC_JOBS.vkPush, { userId: h.userId });
    // The push (and the VK fetch that follows a push that recorded something) end well…
    expect(await scheduler.runPending()).toMatchObject({ failed: 0 });
    // …and leave no push behind: nothing is left to retry.
    expect(await pending(SYNC_JOBS.vkPush)).toEqual([]);
    // The failure is settled, so the pipeline does not ask for a push for it either.
    expect(await mirrorNeedsPush(harnesses.store, h.userId, new Date())).toBeNull();
  });
});
