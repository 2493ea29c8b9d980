import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/infrastructure/config/config.js';
import {
  login,
  registerAndConfirm,
  startHarness,
  systemAdmin,
  type Agent,
  type Harness,
} from '../accounts/harness.js';

const WIDGET = 'AbC123xyz';
const TAG = `<script src="//code.jivo.ru/widget/${WIDGET}" async></script>`;

const directive = (csp: string | undefined, name: string) =>
  (csp ?? '')
    .split(';')
    .map((d) => d.trim())
    .find((d) => d.startsWith(`${name} `)) ?? '';

async function owner(h: Harness, email: string): Promise<Agent> {
  const agent = request.agent(h.app);
  await registerAndConfirm(h, agent, email);
  expect((await login(agent, email)).status).toBe(303);
  return agent;
}

describe('with JIVOSITE_WIDGET_ID', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('jivo_on', { env: { JIVOSITE_WIDGET_ID: WIDGET } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("a shop owner's pages carry the widget and the CSP allows it", async () => {
    const agent = await owner(h, 'shop@example.test');
    const res = await agent.get('/profile');
    expect(res.status).toBe(200);
    expect(res.text).toContain(TAG);
    const csp = res.headers['content-security-policy'] as string | undefined;
    expect(directive(csp, 'script-src').split(' ')).toEqual(
      expect.arrayContaining(["'self'", '*.jivosite.com', '*.jivo.ru']),
    );
    expect(directive(csp, 'connect-src').split(' ')).toEqual(
      expect.arrayContaining([
        '*.jivosite.com',
        '*.jivo.ru',
        'wss://*.jivosite.com',
        'wss://*.jivo.ru',
      ]),
    );
  });

  it('anonymous pages and admin pages have no widget', async () => {
    expect((await request(h.app).get('/login')).text).not.toContain('code.jivo.ru');
    // The system account holds every permission, sync.use included: the path decides.
    const root = await systemAdmin(h);
    const admin = await root.get('/admin/users');
    expect(admin.status).toBe(200);
    expect(admin.text).not.toContain('code.jivo.ru');
  });
});

describe('without JIVOSITE_WIDGET_ID', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('jivo_off');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('no widget and no JivoSite in the CSP', async () => {
    const agent = await owner(h, 'shop@example.test');
    const res = await agent.get('/profile');
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('code.jivo.ru');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['content-security-policy']).not.toContain('jivo');
  });
});

describe('the JIVOSITE_WIDGET_ID setting', () => {
  const base = { NODE_ENV: 'test', SECRET_KEY: 'test-secret-key-0123456789' };

  it('takes letters and digits', () => {
    expect(loadConfig({ ...base, JIVOSITE_WIDGET_ID: WIDGET }, null).JIVOSITE_WIDGET_ID).toBe(
      WIDGET,
    );
  });

  it('refuses anything that could leave the script URL, with a clear message', () => {
    for (const bad of ['abc"><script>', 'abc/../x', 'abc def', 'виджет']) {
      let error: unknown;
      try {
        loadConfig({ ...base, JIVOSITE_WIDGET_ID: bad }, null);
      } catch (e) {
        error = e;
      }
      expect(error, bad).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual([
        'JIVOSITE_WIDGET_ID: must be the widget id from JivoSite: letters and digits only',
      ]);
    }
  });
});
