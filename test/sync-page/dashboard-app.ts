import request from 'supertest';
import { loadConfig } from '../../src/infrastructure/config/config.js';
import { createLogger } from '../../src/infrastructure/logging/logger.js';
import { startReadModelRunners, type Settler } from '../catalog/settle.js';
import { buildContainer, type Container } from '../../src/main/container.js';
import { buildWebApp, type WebRuntime } from '../../src/main/web-runtime.js';
import { createTestDatabase } from '../support/mariadb.js';
import { dropNamespace, LOCAL_REDIS_URL, uniqueNamespace } from '../scheduler/redis-namespace.js';
import { csrfFrom, login, PASSWORD, type Agent } from '../accounts/harness.js';

export { csrfFrom, type Agent };

/**
 * The web process as it runs (buildWebApp on a real container: MariaDB event store and read
 * tables, Agenda on Redis under a namespace of its own), with the read models projected
 * alongside by the real projection runners. No sync jobs run: tests drive the sync.
 */
export class DashboardApp {
  private constructor(
    readonly c: Container,
    readonly web: WebRuntime,
    private readonly settler: Settler,
    private readonly cleanup: () => Promise<void>,
  ) {}

  /** `env`: settings on top of the test defaults (simulator URLs, secrets, BASE_URL). */
  static async start(label: string, env: Record<string, string> = {}): Promise<DashboardApp> {
    const db = await createTestDatabase(label);
    const namespace = uniqueNamespace(label);
    const config = loadConfig(
      {
        NODE_ENV: 'test',
        SECRET_KEY: 'test-secret-key-0123456789',
        DATABASE_URL: db.url,
        EVENTSTORE_URL: db.url,
        AGENDA_URL: LOCAL_REDIS_URL,
        EMAIL_PROVIDER: 'console',
        BASE_URL: 'http://127.0.0.1:9',
        ...env,
      },
      null,
    );
    const logger = createLogger({ level: 'silent' });
    const c = await buildContainer(config, logger, {
      processName: `test-${label}`,
      schedulerNamespace: namespace,
    });
    const web = await buildWebApp(c);
    const runners = startReadModelRunners(c, logger);
    return new DashboardApp(c, web, runners.settler, async () => {
      await runners.stop();
      await c.close();
      await db.drop();
      await dropNamespace(namespace);
    });
  }

  get app() {
    return this.web.app;
  }

  /** Waits until every read model has handled everything in the store. */
  settle(): Promise<void> {
    return this.settler.settle();
  }

  /** A shop owner (role `user`), created by a system account and logged in on a new agent. */
  async owner(email: string, role = 'user'): Promise<{ userId: string; agent: Agent }> {
    const accounts = this.web.accounts.accounts;
    const rootEmail = `root-${email}`;
    const rootId = await accounts.admin.createSystemAccount(rootEmail, PASSWORD);
    const userId = await accounts.admin.createSystemAccount(email, PASSWORD);
    await accounts.admin.edit({ userId: rootId, roles: ['system'] }, userId, { role });
    await this.settle();
    const agent = request.agent(this.app);
    const res = await login(agent, email);
    if (res.status !== 303) throw new Error(`login failed: ${res.status}`);
    return { userId, agent };
  }

  async close(): Promise<void> {
    await this.cleanup();
  }
}

/** GETs a page for its CSRF token, then POSTs the form to `postPath`. */
export async function post(
  agent: Agent,
  pagePath: string,
  postPath: string,
  fields: Record<string, string> = {},
) {
  const page = await agent.get(pagePath);
  return agent
    .post(postPath)
    .type('form')
    .send({ ...fields, _csrf: csrfFrom(page.text) });
}

/** «Подтвердить и запустить» as the page sends it: with the preview the owner was shown. */
export async function confirmAsShown(agent: Agent) {
  const page = await agent.get('/sync');
  const preview = /name="preview" value="([^"]*)"/.exec(page.text)?.[1] ?? '';
  return agent
    .post('/sync/confirm')
    .type('form')
    .send({ preview, _csrf: csrfFrom(page.text) });
}
