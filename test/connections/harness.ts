import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { loadConfig } from '../../src/infrastructure/config/config.js';
import { createLogger } from '../../src/infrastructure/logging/logger.js';
import { buildContainer, type Container } from '../../src/main/container.js';
import { buildWebApp, type WebRuntime } from '../../src/main/web-runtime.js';
import { projections as readModels } from '../../projections/index.js';
import { usersProjection } from '../../projections/users/index.js';
import { csrfFrom, login, PASSWORD, type Agent } from '../accounts/harness.js';
import { dropNamespace, LOCAL_REDIS_URL, uniqueNamespace } from '../scheduler/redis-namespace.js';
import { startEvotorSimulator, type EvotorSimulator } from '../simulators/evotor/index.js';
import { startVkSimulator, type VkSimulator } from '../simulators/vk/index.js';
import { createTestDatabase } from '../support/mariadb.js';
import { CheckpointedProjector } from '../sync-page/checkpointed-projector.js';

export { csrfFrom, PASSWORD, type Agent };
export const WEBHOOK_SECRET = 'evotor-webhook-secret-for-tests';

/**
 * The web process as it runs (buildWebApp on a real container: MariaDB event store and read
 * tables, Agenda on Redis in its own namespace) listening on a real port (the Evotor webhook
 * sender posts to it), pointed at both simulators, with the read models projected alongside.
 */
export class ConnectionsApp {
  private constructor(
    readonly c: Container,
    readonly web: WebRuntime,
    readonly evotor: EvotorSimulator,
    readonly vk: VkSimulator,
    readonly baseUrl: string,
    private readonly projector: CheckpointedProjector,
    private readonly cleanup: () => Promise<void>,
  ) {}

  static async start(label: string): Promise<ConnectionsApp> {
    const db = await createTestDatabase(label);
    const namespace = uniqueNamespace(label);
    const evotor = await startEvotorSimulator({ pageSize: 50 });
    const vk = await startVkSimulator();
    vk.admin.setLimits({ user: 1000, community: 1000 });
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const config = loadConfig(
      {
        NODE_ENV: 'test',
        SECRET_KEY: 'test-secret-key-0123456789',
        DATABASE_URL: db.url,
        EVENTSTORE_URL: db.url,
        AGENDA_URL: LOCAL_REDIS_URL,
        EMAIL_PROVIDER: 'console',
        BASE_URL: baseUrl,
        EVOTOR_WEBHOOK_SECRET: WEBHOOK_SECRET,
        EVOTOR_API_URL: evotor.url,
        VK_API_URL: vk.apiUrl,
        VK_OAUTH_URL: vk.oauthUrl,
        VK_APP_ID: vk.admin.oauthApp.clientId,
        VK_APP_SECRET: vk.admin.oauthApp.clientSecret,
      },
      null,
    );
    const logger = createLogger({ level: 'silent' });
    const c = await buildContainer(config, logger, {
      processName: `test-${label}`,
      schedulerNamespace: namespace,
    });
    const web = await buildWebApp(c);
    server.on('request', web.app);
    const projector = new CheckpointedProjector(c, [...readModels, usersProjection(c.cipher)]);
    projector.start();
    return new ConnectionsApp(c, web, evotor, vk, baseUrl, projector, async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await projector.stop();
      await c.close();
      await Promise.all([evotor.stop(), vk.stop()]);
      await db.drop();
      await dropNamespace(namespace);
    });
  }

  get app() {
    return this.web.app;
  }

  get webhookTarget() {
    return { baseUrl: this.baseUrl, secret: WEBHOOK_SECRET };
  }

  settle(): Promise<void> {
    return this.projector.catchUp();
  }

  /** A signed-in account with this role (`user` holds sync.use). */
  async owner(email: string, role = 'user'): Promise<{ userId: string; agent: Agent }> {
    const accounts = this.web.accounts.accounts;
    const rootId = await accounts.admin.createSystemAccount(`root-${email}`, PASSWORD);
    const userId = await accounts.admin.createSystemAccount(email, PASSWORD);
    await accounts.admin.edit({ userId: rootId, roles: ['system'] }, userId, { role });
    await this.settle();
    const agent = request.agent(this.app);
    const res = await login(agent, email);
    if (res.status !== 303) throw new Error(`login failed: ${res.status}`);
    return { userId, agent };
  }

  /** Every stored event of these types (data as stored, for searching it). */
  async events(types: string[]): Promise<Array<{ stream: string; type: string; data: string }>> {
    const all = await this.c.eventStore.readAll({ maxCount: 100_000 });
    return all
      .filter((e) => types.length === 0 || types.includes(e.type))
      .map((e) => ({ stream: e.streamId, type: e.type, data: JSON.stringify(e.data) }));
  }

  async close(): Promise<void> {
    await this.cleanup();
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
