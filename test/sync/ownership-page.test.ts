import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSyncConfig } from '../../src/application/sync/desired-state.js';
import { DashboardApp, post, type Agent } from '../sync-page/dashboard-app.js';

let d: DashboardApp;
let owner: { userId: string; agent: Agent };

beforeAll(async () => {
  d = await DashboardApp.start('ownership_page');
  owner = await d.owner('fields@example.test');
}, 60_000);

afterAll(async () => {
  await d?.close();
});

describe('/sync: who owns the fields of a VK item', () => {
  it('shows EvoSync owning everything by default', async () => {
    const res = await owner.agent.get('/sync');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Кто управляет полями товара в VK');
    expect(res.text).toMatch(/name="description" value="evosync" checked/);
    expect(res.text).toMatch(/name="photos" value="evosync" checked/);
  });

  it('leaves the description to VK, records it in the sync config, and shows it', async () => {
    const res = await post(owner.agent, '/sync', '/sync/ownership', {
      description: 'vk',
      photos: 'evosync',
    });
    expect(res.status).toBe(303);
    const config = await loadSyncConfig(d.c.eventStore, owner.userId);
    expect(config.ownership).toEqual({ description: 'vk', photos: 'evosync' });
    const page = await owner.agent.get('/sync');
    expect(page.text).toContain('Настройки полей сохранены.');
    expect(page.text).toMatch(/name="description" value="vk" checked/);
  });

  it('refuses an unknown owner with a message, changing nothing', async () => {
    const res = await post(owner.agent, '/sync', '/sync/ownership', {
      description: 'someone',
      photos: 'evosync',
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Выберите, кто управляет полем.');
    const config = await loadSyncConfig(d.c.eventStore, owner.userId);
    expect(config.ownership.description).toBe('vk');
  });
});
