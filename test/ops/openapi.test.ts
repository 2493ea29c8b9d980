import { Router } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { EVOTOR_WEBHOOK_PATHS } from '../../src/infrastructure/evotor/webhooks.js';
import { createLogger } from '../../src/infrastructure/logging/logger.js';
import { Metrics } from '../../src/infrastructure/metrics/metrics.js';
import { createWebApp } from '../../src/web/app.js';
import {
  listJsonRoutes,
  listRoutes,
  openApiDocument as doc,
  OPS_HTML_PAGES,
  opsRoutes,
  undocumentedRoutes,
} from '../../src/web/ops/index.js';

const opsApp = (extra: Router[] = []) =>
  createWebApp({
    logger: createLogger({ level: 'silent' }),
    healthChecks: [],
    routers: [opsRoutes({ metrics: new Metrics({ defaultMetrics: false }) }), ...extra],
  });

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 with an operation id and a success answer for every operation', () => {
    expect(doc.openapi).toBe('3.1.0');
    const ids = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths)) {
      expect(path).toMatch(/^\/[\w/{}.-]*$/);
      for (const [method, op] of Object.entries(item)) {
        expect(METHODS).toContain(method);
        expect(ids.has(op.operationId)).toBe(false);
        ids.add(op.operationId);
        expect(Object.keys(op.responses).some((s) => /^2\d\d$/.test(s))).toBe(true);
      }
    }
    expect(ids.size).toBeGreaterThanOrEqual(10);
  });

  it('resolves every $ref and security scheme it uses', () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)];
    expect(refs.length).toBeGreaterThan(5);
    for (const [, name] of refs) expect(doc.components.schemas).toHaveProperty(name!);
    for (const item of Object.values(doc.paths)) {
      for (const op of Object.values(item)) {
        for (const requirement of (op.security ?? []) as Array<Record<string, unknown>>) {
          for (const scheme of Object.keys(requirement)) {
            expect(doc.components.securitySchemes).toHaveProperty(scheme);
          }
        }
      }
    }
  });

  it('describes the Evotor webhooks with Bearer auth and the Evotor error envelope', () => {
    for (const path of Object.values(EVOTOR_WEBHOOK_PATHS)) {
      const op = doc.paths[path]?.post;
      expect(op, path).toBeDefined();
      expect(op!.security).toEqual([{ evotorWebhook: [] }]);
      expect(JSON.stringify(op!.responses['401'])).toContain('#/components/schemas/EvotorErrors');
      // built now (src/web/webhooks): no longer marked as a plan
      expect(op!['x-implemented']).toBeUndefined();
    }
    expect(doc.components.securitySchemes).toMatchObject({
      evotorWebhook: { type: 'http', scheme: 'bearer' },
    });
    const envelope = doc.components.schemas!.EvotorErrors as {
      properties: { errors: { items: { required: string[] } } };
    };
    expect(envelope.properties.errors.items.required).toEqual(['code']);
    expect(JSON.stringify(doc.paths['/user/create']!.post!.responses['409'])).toContain('2005');
    expect(doc.paths['/connections/vk/test']?.post?.security).toEqual([{ session: [], csrf: [] }]);
  });
});

describe('the docs pages', () => {
  it('serves the document as JSON', async () => {
    const res = await request(opsApp()).get('/openapi.json').expect(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body).toEqual(JSON.parse(JSON.stringify(doc)));
  });

  it('serves Swagger UI from local assets', async () => {
    const app = opsApp();
    const page = await request(app).get('/docs').redirects(1).expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain('swagger-ui');
    expect(page.text).not.toMatch(/src="https?:\/\//);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const init = await request(app).get('/docs/swagger-ui-init.js').expect(200);
    expect(init.text).toContain('evotorUserCreate');
    await request(app).get('/docs/swagger-ui-bundle.js').expect(200);
  });

  it('serves ReDoc with its bundle from this server, not a CDN', async () => {
    const app = opsApp();
    const page = await request(app).get('/redoc').expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain('<redoc spec-url="/openapi.json">');
    expect(page.text).toContain('<script src="/redoc/redoc.standalone.js">');
    expect(page.text).not.toMatch(/https?:\/\//);
    expect(page.headers['content-security-policy']).toContain("worker-src 'self' blob:");
    const bundle = await request(app).get('/redoc/redoc.standalone.js').expect(200);
    expect(bundle.headers['content-type']).toMatch(/javascript/);
    expect(bundle.text.length).toBeGreaterThan(100_000);
  });
});

describe('route coverage', () => {
  it('lists the routes of an Express 5 app, nested routers and mount paths included', () => {
    const inner = Router();
    inner.get('/stores/:storeId/groups', (_req, res) => {
      res.json([]);
    });
    inner
      .route('/stores/:storeId')
      .get((_req, res) => {
        res.json({});
      })
      .post((_req, res) => {
        res.json({});
      });
    const outer = Router();
    outer.use('/catalog', inner);
    const routes = listRoutes(opsApp([outer]));
    expect(routes).toEqual(
      expect.arrayContaining([
        { method: 'GET', path: '/health' },
        { method: 'GET', path: '/metrics' },
        { method: 'GET', path: '/openapi.json' },
        { method: 'GET', path: '/redoc' },
        { method: 'GET', path: '/catalog/stores/{storeId}/groups' },
        { method: 'GET', path: '/catalog/stores/{storeId}' },
        { method: 'POST', path: '/catalog/stores/{storeId}' },
      ]),
    );
  });

  it('finds every JSON route of the app in the document', () => {
    const json = listJsonRoutes(opsApp(), OPS_HTML_PAGES);
    expect(json.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
      'GET /health',
      'GET /metrics',
      'GET /openapi.json',
    ]);
    expect(undocumentedRoutes(json, doc)).toEqual([]);
  });

  it('reports a JSON route the document lacks', () => {
    const extra = Router();
    extra.post('/connections/evotor/test', (_req, res) => {
      res.json({});
    });
    extra.post('/sync/preview/:userId', (_req, res) => {
      res.json({});
    });
    const json = listJsonRoutes(opsApp([extra]), OPS_HTML_PAGES);
    expect(undocumentedRoutes(json, doc)).toEqual([
      { method: 'POST', path: '/sync/preview/{userId}' },
    ]);
  });
});
