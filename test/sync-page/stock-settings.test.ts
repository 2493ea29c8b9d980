import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryTypes } from 'sequelize';
import { loadSyncConfig } from '../../src/application/sync/desired-state.js';
import { SYNC_JOBS } from '../../src/application/sync/sync-jobs.js';
import { DashboardApp, post, type Agent } from './dashboard-app.js';

/** The stock and run-interval fields of the /sync settings form, on the real app. */
let d: DashboardApp;
let owner: { userId: string; agent: Agent };

beforeAll(async () => {
  d = await DashboardApp.start('stock_settings', {
    VK_STOCK_AMOUNT: '500',
    CATALOG_REFRESH_INTERVAL_SECONDS: '3600',
  });
  owner = await d.owner('stock-owner@example.test');
}, 60_000);

afterAll(async () => {
  await d?.close();
});

const page = async () => {
  await d.settle();
  const res = await owner.agent.get('/sync');
  expect(res.status).toBe(200);
  return res.text;
};

const revision = async () => {
  await d.settle();
  const [row] = await d.c.sequelize.query<{ revision: number }>(
    'SELECT revision FROM sync_configs WHERE user_id = ?',
    { replacements: [owner.userId], type: QueryTypes.SELECT },
  );
  return String(row?.revision ?? -1);
};

const save = async (fields: Record<string, string>) =>
  post(owner.agent, '/sync', '/sync/settings', {
    priceMultiplier: '1',
    revision: await revision(),
    refresh_catalog: '1',
    refresh_vk_catalog: '1',
    mirror_to_vk: '1',
    ...fields,
  });

const config = () => loadSyncConfig(d.c.eventStore, owner.userId);
const ownRuns = async () =>
  (await d.c.scheduler.listJobs({ name: SYNC_JOBS.periodic, limit: 10, skip: 0 })).jobs.filter(
    (j) => j.data.userId === owner.userId,
  );

describe('/sync stock settings', () => {
  it('shows the defaults: stock from Evotor, unavailable items listed, the configured N and interval', async () => {
    const text = await page();
    expect(text).toMatch(/name="stockSource" value="evotor" checked/);
    expect(text).toMatch(/name="unavailableItems" value="out_of_stock" checked/);
    expect(text).toContain('Пусто — 500.');
    expect(text).toContain('Пусто — по умолчанию (1 ч).');
  });

  it('saves «всегда N» and hiding, and shows them back', async () => {
    const res = await save({
      stockSource: 'fixed',
      stockFixedAmount: '1 200',
      unavailableItems: 'hidden',
    });
    expect(res.status).toBe(303);
    expect((await config()).stock).toEqual({
      source: 'fixed',
      fixedAmount: 1200,
      unavailable: 'hidden',
    });
    const text = await page();
    expect(text).toMatch(/name="stockSource" value="fixed" checked/);
    expect(text).toMatch(/name="unavailableItems" value="hidden" checked/);
    expect(text).toContain('value="1200"');
  });

  it.each([
    ['0', 'Остаток — целое число от 1 до 999 999, или -1 (без ограничения).'],
    ['1000000', 'Остаток — целое число от 1 до 999 999, или -1 (без ограничения).'],
    ['-2', 'Остаток — целое число от 1 до 999 999, или -1 (без ограничения).'],
  ])('refuses N = %j next to the field and keeps the setting', async (value, message) => {
    const res = await save({ stockSource: 'fixed', stockFixedAmount: value });
    expect(res.status).toBe(422);
    expect(res.text).toContain('id="e-stockFixedAmount"');
    expect(res.text).toContain(message);
    expect((await config()).stock.fixedAmount).toBe(1200);
  });

  it('an empty N means the configured default; a submission without the fields changes nothing', async () => {
    expect((await save({ stockSource: 'evotor', stockFixedAmount: '' })).status).toBe(303);
    expect((await config()).stock).toEqual({
      source: 'evotor',
      fixedAmount: null,
      unavailable: 'hidden',
    });
    expect((await save({})).status).toBe(303);
    expect((await config()).stock.unavailable).toBe('hidden');
  });
});

describe('/sync run interval', () => {
  it.each([
    ['10', 'Интервал — целое число минут от 15 до 1440 (24 часа).'],
    ['1441', 'Интервал — целое число минут от 15 до 1440 (24 часа).'],
    ['час', 'Интервал — целое число минут от 15 до 1440 (24 часа).'],
  ])('refuses %j minutes in Russian next to the field', async (value, message) => {
    const res = await save({ runIntervalMinutes: value });
    expect(res.status).toBe(422);
    expect(res.text).toContain('id="e-runIntervalMinutes"');
    expect(res.text).toContain(message);
    expect((await config()).runIntervalSeconds).toBeNull();
  });

  it('saving an interval schedules the next own run an interval from now; empty goes back', async () => {
    const before = Date.now();
    expect((await save({ runIntervalMinutes: '45' })).status).toBe(303);
    expect((await config()).runIntervalSeconds).toBe(45 * 60);
    const [run, ...more] = await ownRuns();
    expect(more).toEqual([]);
    const at = run!.nextRunAt!.getTime();
    expect(at).toBeGreaterThanOrEqual(before + 45 * 60_000);
    expect(at).toBeLessThanOrEqual(Date.now() + 45 * 60_000);
    expect(await page()).toContain('value="45"');

    expect((await save({ runIntervalMinutes: '' })).status).toBe(303);
    expect((await config()).runIntervalSeconds).toBeNull();
    expect(await ownRuns()).toEqual([]);
  });
});
