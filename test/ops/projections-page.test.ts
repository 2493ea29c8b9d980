import request from 'supertest';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../src/application/ports/event-store.js';
import { createLogger } from '../../src/infrastructure/logging/logger.js';
import { recordFailure } from '../../src/infrastructure/projections/checkpoints.js';
import {
  POISON_AFTER_ATTEMPTS,
  projectionLagCheck,
} from '../../src/infrastructure/projections/lag-health.js';
import { adminProjectionsRoutes } from '../../src/web/admin/projections-routes.js';
import { createWebApp } from '../../src/web/app.js';
import {
  login,
  registerAndConfirm,
  startHarness,
  type Agent,
  type Harness,
} from '../accounts/harness.js';
import { setCheckpoint } from '../support/mariadb.js';
import { newEvent } from '../support/events.js';

const NAMES = ['cached-products', 'cached-groups', 'vk-mirror'];
let h: Harness;
let app: Express;
let operator: Agent;
let owner: Agent;
let poison: RecordedEvent;

beforeAll(async () => {
  h = await startHarness('projections_page');
  const names = () => NAMES;
  // The harness's app with this page and the projections' /health check, as the web runs them.
  app = createWebApp({
    logger: createLogger({ level: 'silent' }),
    healthChecks: [projectionLagCheck(h.sequelize, h.store, names)],
    configure: h.module.configure,
    routers: [
      ...h.module.routers,
      adminProjectionsRoutes({ sequelize: h.sequelize, store: h.store, names }),
    ],
  });
  await h.module.accounts.admin.createSystemAccount('ops@example.test', 'Secret-Pass-2026!');
  operator = request.agent(app);
  expect((await login(operator, 'ops@example.test', 'Secret-Pass-2026!')).status).toBe(303);
  owner = request.agent(app);
  await registerAndConfirm(h, owner, 'owner@example.test');
  expect((await login(owner, 'owner@example.test')).status).toBe(303);

  // cached-products is stuck on one event, cached-groups is idle at the head, vk-mirror never ran.
  const stream = 'catalog-u1-s1';
  await h.store.appendToStream(stream, [
    newEvent('ProductAdded', { n: 1 }),
    newEvent('ProductAdded', { n: 2 }),
  ]);
  const head = (await h.store.headPosition())!;
  poison = (await h.store.readStream(stream))[1]!;
  await setCheckpoint(h.sequelize, 'cached-products', head.commit - 1);
  await setCheckpoint(h.sequelize, 'cached-groups', head.commit);
  for (let i = 0; i < POISON_AFTER_ATTEMPTS; i++) {
    await recordFailure(h.sequelize, 'cached-products', {
      error: "Data too long for column 'measure_name' at row 1 <x>",
      event: poison,
      backoff: { initialMs: 4000, maxMs: 30_000 },
    });
  }
});

afterAll(async () => {
  await h?.close();
});

describe('/admin/projections', () => {
  it('is for operators only', async () => {
    expect((await owner.get('/admin/projections')).status).toBe(403);
    expect((await owner.get('/profile')).text).not.toContain('href="/admin/projections"');
    const anonymous = await request(app).get('/admin/projections');
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.location).toBe('/login?next=%2Fadmin%2Fprojections');
  });

  it('shows each projection’s condition, the event one is stuck on, its error and what to do', async () => {
    const res = await operator.get('/admin/projections');
    expect(res.status).toBe(200);
    expect(res.text).toContain('href="/admin/projections"');
    expect(res.text).toContain('data-projection="cached-products" data-condition="failing"');
    expect(res.text).toContain('data-projection="cached-groups" data-condition="idle"');
    expect(res.text).toContain('data-projection="vk-mirror" data-condition="not started"');
    expect(res.text).toContain(`data-event="${poison.id}"`);
    // The error is shown escaped, with the attempts and the advice in Russian.
    expect(res.text).toContain(
      'Data too long for column &#39;measure_name&#39; at row 1 &lt;x&gt;',
    );
    expect(res.text).toContain(`попыток подряд: ${POISON_AFTER_ATTEMPTS}`);
    expect(res.text).toContain('Исправьте причину');
    expect(res.text).toContain('Ничего делать не нужно.');
    expect(res.text).toContain('запустите worker');
  });

  it('is what /health reports red', async () => {
    const res = await request(app).get('/health');
    expect(res.status).toBe(503);
    const projections = (res.body as { checks: Record<string, Record<string, unknown>> }).checks
      .projections!;
    expect(projections.ok).toBe(false);
    expect(String(projections.error)).toContain(`cached-products: event ${poison.id}`);
    expect(projections.projections).toMatchObject({
      'cached-products': {
        condition: 'failing',
        lagEvents: 1,
        failure: { eventId: poison.id, attempts: POISON_AFTER_ATTEMPTS },
      },
      'cached-groups': { condition: 'idle', lagEvents: 0 },
    });
  });
});

describe('the projections check with the event store down', () => {
  it('still names the projection stuck on an event, and tells no lag it cannot know', async () => {
    const down = new Proxy(h.store, {
      get(target, key) {
        if (key === 'headPosition' || key === 'health') {
          return () => Promise.reject(new Error('connect ECONNREFUSED'));
        }
        const value = Reflect.get(target, key) as unknown;
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      },
    });
    const report = await projectionLagCheck(h.sequelize, down, () => NAMES).check();
    expect(report.ok).toBe(false);
    expect(String(report.error)).toContain(poison.id);
    expect(report.projections).toMatchObject({
      'cached-products': { condition: 'failing' },
      'cached-groups': { condition: 'unknown' },
    });
    expect(
      (report.projections as Record<string, { lagEvents?: number }>)['cached-groups']?.lagEvents,
    ).toBeUndefined();
  });
});
