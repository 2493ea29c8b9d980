import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RolesService } from '../../src/application/accounts/roles-service.js';
import { CommandHandler } from '../../src/application/commands/command-handler.js';
import { SYNC_JOBS, scheduleSyncPipeline } from '../../src/application/sync/jobs.js';
import { roleDecider, roleStreamId } from '../../src/domain/roles/decide.js';
import { MemoryEventStore } from '../../src/infrastructure/eventstore/memory/memory-event-store.js';
import { MemoryScheduler } from '../support/memory-scheduler.js';
import { DEFAULT_TIME_ZONE, formatDateTime } from '../../src/web/shared/format.js';
import {
  csrfFrom,
  login,
  registerAndConfirm,
  startHarness,
  systemAdmin,
  type Agent,
  type Harness,
} from '../accounts/harness.js';

let h: Harness;
let root: Agent;
let admin: Agent;
let user: Agent;
let failedId: string;
let waitingId: string;
const scheduler = new MemoryScheduler();
let evotorRuns = 0;

async function signedIn(email: string): Promise<Agent> {
  const agent = request.agent(h.app);
  await registerAndConfirm(h, agent, email);
  expect((await login(agent, email)).status).toBe(303);
  return agent;
}

async function post(agent: Agent, path: string, withToken = true) {
  const page = await agent.get('/admin/jobs');
  return agent
    .post(path)
    .type('form')
    .send(withToken ? { _csrf: csrfFrom(page.text), back: '?state=failed' } : {});
}

const jobState = async (id: string) =>
  (await scheduler.listJobs({ limit: 1000, skip: 0 })).jobs.find((j) => j.id === id)?.state;

beforeAll(async () => {
  scheduler.define(SYNC_JOBS.pipeline, async () => {});
  scheduler.define(SYNC_JOBS.evotorFetch, async () => {
    // Fails once, as a fetch does when Evotor answers 503, then works.
    if (++evotorRuns === 1) throw new Error('Evotor ответил 503 <Service Unavailable>');
  });
  await scheduleSyncPipeline(scheduler, 3600);
  failedId = await scheduler.enqueue(SYNC_JOBS.evotorFetch, { userId: 'u-1' });
  await scheduler.runPending();
  waitingId = await scheduler.enqueue(
    SYNC_JOBS.vkPush,
    { userId: 'u-2' },
    { runAt: new Date(Date.now() + 3_600_000) },
  );

  h = await startHarness('jobs_monitor', { scheduler });
  root = await systemAdmin(h);
  user = await signedIn('owner@example.test');
  admin = await signedIn('admin@example.test');
  const rootId = (await h.module.accounts.context.userIdByEmail('root@example.test'))!;
  const adminId = (await h.module.accounts.context.userIdByEmail('admin@example.test'))!;
  await h.module.accounts.admin.edit({ userId: rootId, roles: ['system'] }, adminId, {
    role: 'admin',
  });
});
afterAll(async () => {
  await scheduler.stop();
  await h?.close();
});

describe('/admin/jobs', () => {
  it('is closed to shop owners and to anonymous visitors', async () => {
    expect((await user.get('/admin/jobs')).status).toBe(403);
    expect((await user.get('/profile')).text).not.toContain('href="/admin/jobs"');
    const anonymous = await request(h.app).get('/admin/jobs');
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.location).toBe('/login?next=%2Fadmin%2Fjobs');
  });

  it('shows an admin the jobs, the failed one with its reason, and the next pipeline run', async () => {
    const res = await admin.get('/admin/jobs');
    expect(res.status).toBe(200);
    expect(res.text).toContain('href="/admin/jobs"');
    expect(res.text).toContain(`data-job="${failedId}"`);
    expect(res.text).toContain(`data-job="${waitingId}"`);
    // The reason is shown, and escaped.
    expect(res.text).toContain('Evotor ответил 503 &lt;Service Unavailable&gt;');
    const [pipeline] = (await scheduler.listJobs({ name: SYNC_JOBS.pipeline, limit: 1, skip: 0 }))
      .jobs;
    const next = formatDateTime(pipeline!.nextRunAt!, DEFAULT_TIME_ZONE, { seconds: true });
    const banner = /<p class="flash flash-info" id="pipeline-next">([\s\S]*?)<\/p>/.exec(res.text);
    expect(banner?.[1]).toContain('Следующий запуск синхронизации');
    expect(banner?.[1]).toContain(next);
  });

  it('filters by state and by name', async () => {
    const failed = await admin.get('/admin/jobs?state=failed');
    expect(failed.text).toContain(`data-job="${failedId}"`);
    expect(failed.text).not.toContain(`data-job="${waitingId}"`);
    const byName = await admin.get(`/admin/jobs?name=${SYNC_JOBS.vkPush}`);
    expect(byName.text).toContain(`data-job="${waitingId}"`);
    expect(byName.text).not.toContain(`data-job="${failedId}"`);
  });

  it('pages through many jobs', async () => {
    const later = new Date(Date.now() + 7_200_000);
    const ids: string[] = [];
    for (let i = 0; i < 55; i++)
      ids.push(await scheduler.enqueue(SYNC_JOBS.vkFetch, { userId: `p-${i}` }, { runAt: later }));
    const first = await admin.get(`/admin/jobs?name=${SYNC_JOBS.vkFetch}`);
    expect(first.text).toContain('Страница 1 из 2');
    const second = await admin.get(`/admin/jobs?name=${SYNC_JOBS.vkFetch}&page=2`);
    expect(second.text).toContain('Страница 2 из 2');
    const shown = (html: string) => ids.filter((id) => html.includes(`data-job="${id}"`)).length;
    expect([shown(first.text), shown(second.text)]).toEqual([50, 5]);
    await scheduler.cancel(SYNC_JOBS.vkFetch);
  });

  it('retries a failed job, only with a CSRF token', async () => {
    expect((await post(admin, `/admin/jobs/${failedId}/retry`, false)).status).toBe(403);
    expect(await jobState(failedId)).toBe('failed');
    const res = await post(admin, `/admin/jobs/${failedId}/retry`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/jobs?state=failed');
    expect(await jobState(failedId)).toBe('queued');
    expect((await admin.get('/admin/jobs')).text).toContain(
      'Задача поставлена на повторный запуск.',
    );
    await scheduler.runPending();
    expect(evotorRuns).toBe(2);
    expect(await jobState(failedId)).toBeUndefined();
  });

  it('cancels a job, only with a CSRF token and only for admins', async () => {
    expect((await post(admin, `/admin/jobs/${waitingId}/cancel`, false)).status).toBe(403);
    const profile = await user.get('/profile');
    const denied = await user
      .post(`/admin/jobs/${waitingId}/cancel`)
      .type('form')
      .send({ _csrf: csrfFrom(profile.text) });
    expect(denied.status).toBe(403);
    expect(await jobState(waitingId)).toBe('scheduled');
    expect((await post(admin, `/admin/jobs/${waitingId}/cancel`)).status).toBe(303);
    expect(await jobState(waitingId)).toBeUndefined();
    expect((await admin.get('/admin/jobs')).text).toContain('Задача отменена.');
    expect((await post(admin, '/admin/jobs/no-such-job/cancel')).status).toBe(303);
    expect((await admin.get('/admin/jobs')).text).toContain('Задача не найдена.');
  });

  it('the system account sees it too', async () => {
    expect((await root.get('/admin/jobs')).status).toBe(200);
  });
});

describe('default permissions of existing roles', () => {
  const noWait = { waitFor: async () => {} };
  const permissionsOf = async (store: MemoryEventStore, name: string) => {
    const events = await store.readStream(roleStreamId(name));
    return events
      .map((e) => ({ type: e.type, data: e.data }) as Parameters<typeof roleDecider.evolve>[1])
      .reduce(roleDecider.evolve, roleDecider.initialState()).permissions;
  };

  it('adds a new default permission once, and never one an admin took away', async () => {
    const store = new MemoryEventStore();
    const commands = new CommandHandler(store);
    // A database from before admin.jobs existed.
    const old = ['admin.users', 'admin.audit', 'admin.logs'];
    await commands.handle(
      roleDecider,
      roleStreamId('admin'),
      { type: 'DefineRole', name: 'admin', title: 'Администратор', permissions: [...old] },
      { actor: 'system' },
    );
    const roles = new RolesService(commands, noWait);
    await roles.ensureDefaults();
    expect(await permissionsOf(store, 'admin')).toEqual([...old, 'admin.jobs'].sort());
    expect(await permissionsOf(store, 'system')).toContain('admin.jobs');
    expect(await permissionsOf(store, 'user')).toEqual(['sync.use']);

    // An admin removes admin.logs and admin.jobs, and grants admin.roles.
    await roles.changePermissions('someone', 'admin', [
      'admin.users',
      'admin.audit',
      'admin.roles',
    ]);
    const revision = (await store.readStream(roleStreamId('admin'))).length;
    await roles.ensureDefaults();
    expect(await permissionsOf(store, 'admin')).toEqual([
      'admin.audit',
      'admin.roles',
      'admin.users',
    ]);
    expect((await store.readStream(roleStreamId('admin'))).length).toBe(revision);
  });
});
