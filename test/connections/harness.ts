import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Container } from '../../src/main/container.js';
import type { WebRuntime } from '../../src/main/web-runtime.js';
import { csrfFrom, PASSWORD, type Agent } from '../accounts/harness.js';
import { startEvotorSimulator, type EvotorSimulator } from '../../src/simulators/evotor/index.js';
import { startVkSimulator, type VkSimulator } from '../../src/simulators/vk/index.js';
import { DashboardApp } from '../sync-page/dashboard-app.js';

export { csrfFrom, PASSWORD, type Agent };
export const WEBHOOK_SECRET = 'evotor-webhook-secret-for-tests';

/**
 * The dashboard app (see test/sync-page/dashboard-app.ts) listening on a real port (the Evotor
 * webhook sender posts to it) and pointed at both simulators.
 */
export class ConnectionsApp {
  private constructor(
    private readonly d: DashboardApp,
    readonly evotor: EvotorSimulator,
    readonly vk: VkSimulator,
    readonly baseUrl: string,
    private readonly server: Server,
  ) {}

  /** `vkNow`: the VK simulator's clock (token lifetimes), for tests that pass an expiry. */
  static async start(label: string, options: { vkNow?: () => number } = {}) {
    const evotor = await startEvotorSimulator({ pageSize: 50 });
    const vk = await startVkSimulator(options.vkNow ? { now: options.vkNow } : {});
    vk.admin.setLimits({ user: 1000, community: 1000 });
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const d = await DashboardApp.start(label, {
      BASE_URL: baseUrl,
      EVOTOR_WEBHOOK_SECRET: WEBHOOK_SECRET,
      EVOTOR_API_URL: evotor.url,
      VK_API_URL: vk.apiUrl,
      VK_OAUTH_URL: vk.oauthUrl,
      VK_APP_ID: vk.admin.oauthApp.clientId,
      VK_APP_SECRET: vk.admin.oauthApp.clientSecret,
      VK_ID_URL: vk.vkIdUrl,
      VK_ID_APP_ID: vk.admin.vkIdApp.clientId,
    });
    server.on('request', d.app);
    return new ConnectionsApp(d, evotor, vk, baseUrl, server);
  }

  get c(): Container {
    return this.d.c;
  }

  get web(): WebRuntime {
    return this.d.web;
  }

  get app() {
    return this.d.app;
  }

  get webhookTarget() {
    return { baseUrl: this.baseUrl, secret: WEBHOOK_SECRET };
  }

  settle(): Promise<void> {
    return this.d.settle();
  }

  /** A signed-in account with this role (`user` holds sync.use). */
  owner(email: string, role = 'user'): Promise<{ userId: string; agent: Agent }> {
    return this.d.owner(email, role);
  }

  /** Every stored event of these types (data as stored, for searching it). */
  async events(types: string[]): Promise<Array<{ stream: string; type: string; data: string }>> {
    const all = await this.c.eventStore.readAll({ maxCount: 100_000 });
    return all
      .filter((e) => types.length === 0 || types.includes(e.type))
      .map((e) => ({ stream: e.streamId, type: e.type, data: JSON.stringify(e.data) }));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.d.close();
    await Promise.all([this.evotor.stop(), this.vk.stop()]);
  }
}

/** GETs a page for its CSRF token, then POSTs the form. */
export async function post(
  agent: Agent,
  postPath: string,
  fields: Record<string, string> = {},
  pagePath = '/connections',
) {
  const page = await agent.get(pagePath);
  return agent
    .post(postPath)
    .type('form')
    .send({ ...fields, _csrf: csrfFrom(page.text) });
}

/** POSTs a JSON helper with the page's CSRF token in the header, as the page's script does. */
export async function postJson(agent: Agent, path: string) {
  const page = await agent.get('/connections');
  return agent
    .post(path)
    .set('Accept', 'application/json')
    .set('x-csrf-token', csrfFrom(page.text));
}
