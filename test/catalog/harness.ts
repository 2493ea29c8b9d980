import { createHash, randomUUID } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import { CommandHandler } from '../../src/application/commands/command-handler.js';
import { loadConnections } from '../../src/application/sync/connections.js';
import { fetchEvotorCatalog } from '../../src/application/sync/evotor-fetch.js';
import { loadConfig } from '../../src/infrastructure/config/config.js';
import { EvotorClientCatalogSource } from '../../src/infrastructure/evotor/catalog-source.js';
import { EvotorClient } from '../../src/infrastructure/evotor/evotor-client.js';
import { createLogger } from '../../src/infrastructure/logging/logger.js';
import type { ConsoleMailer } from '../../src/infrastructure/mail/mailers.js';
import type { ProjectionRunner } from '../../src/infrastructure/projections/projection-runner.js';
import { buildContainer, type Container } from '../../src/main/container.js';
import { buildWebApp, type WebRuntime } from '../../src/main/web-runtime.js';
import { linkFrom, PASSWORD, submit, type Agent } from '../accounts/harness.js';
import { createTestDatabase } from '../support/mariadb.js';
import { connectVk, linkEvotor } from '../support/shop-owner.js';
import { startReadModelRunners, type Settler } from './settle.js';
import type { EvotorSimulator } from '../../src/simulators/evotor/index.js';

/**
 * The web process as it runs (buildContainer + buildWebApp) on a fresh MariaDB database that
 * is also the event store, with the worker's real projection runners for the read tables.
 */
export class CatalogApp {
  private constructor(
    readonly c: Container,
    readonly web: WebRuntime,
    readonly runners: ProjectionRunner[],
    private readonly settler: Settler,
    private readonly drop: () => Promise<void>,
  ) {}

  get app(): Express {
    return this.web.app;
  }

  static async start(label: string): Promise<CatalogApp> {
    const db = await createTestDatabase(label);
    const config = loadConfig(
      {
        NODE_ENV: 'test',
        DATABASE_URL: db.url,
        EVENTSTORE_URL: db.url,
        AGENDA_URL: 'redis://127.0.0.1:6379',
        SECRET_KEY: 'test-secret-key-0123456789',
        BASE_URL: 'http://127.0.0.1:9',
        EMAIL_PROVIDER: 'console',
      },
      null,
    );
    const logger = createLogger({ level: (process.env.TEST_LOG_LEVEL as 'silent') ?? 'silent' });
    const c = await buildContainer(config, logger, {
      processName: `test-${label}`,
      schedulerNamespace: `test-${label}-${randomUUID().slice(0, 8)}`,
    });
    const web = await buildWebApp(c);
    const { runners, settler } = startReadModelRunners(c, logger, {
      flushMs: 5,
      lockPollMs: 100,
    });
    return new CatalogApp(c, web, runners, settler, db.drop);
  }

  /** Until every read table has caught up with the event store. */
  settle(): Promise<void> {
    return this.settler.settle();
  }

  /** Registers, confirms and logs in a shop owner (role `user`); returns the agent and id. */
  async owner(email: string): Promise<{ agent: Agent; userId: string }> {
    const agent = request.agent(this.app);
    const res = await submit(agent, '/register', '/register', {
      email,
      name: 'Владелец',
      password: PASSWORD,
      password2: PASSWORD,
    });
    if (res.status !== 200) throw new Error(`register failed: ${res.status}`);
    const mailer = this.web.accounts.accounts.context.deps.mailer as ConsoleMailer;
    const confirm = await agent.get(linkFrom(mailer, email, '/confirm-email'));
    if (confirm.status !== 303) throw new Error(`confirm failed: ${confirm.status}`);
    const login = await submit(agent, '/login', '/login', { email, password: PASSWORD });
    if (login.status !== 303) throw new Error(`login failed: ${login.status}`);
    const userId = await this.web.accounts.accounts.context.userIdByEmail(email);
    if (!userId) throw new Error('no user id');
    return { agent, userId };
  }

  /** Links the user's Evotor account to the simulator and VK community, then fetches. */
  async connectAndFetch(
    userId: string,
    evotor: EvotorSimulator,
    evotorUser: { userId: string; token: string },
    vkGroupId: number,
  ): Promise<void> {
    const commands = new CommandHandler(this.c.eventStore);
    const fp = (t: string) => createHash('sha256').update(`fp:${t}`).digest('hex');
    const cipher = this.c.cipher;
    await linkEvotor(commands, cipher, userId, {
      evotorUserId: evotorUser.userId,
      token: evotorUser.token,
      fingerprint: fp,
    });
    await connectVk(commands, cipher, userId, {
      token: `vk-${randomUUID()}`,
      groupId: vkGroupId,
      fingerprint: fp,
    });
    await this.fetch(userId, evotor);
  }

  /** The real Evotor fetch job's work for one user, then the read tables caught up. */
  async fetch(userId: string, evotor: EvotorSimulator): Promise<void> {
    const { evotor: conn } = await loadConnections(this.c.eventStore, this.c.cipher, userId);
    if (!conn) throw new Error('no Evotor connection');
    const client = new EvotorClient({
      baseUrl: evotor.url,
      token: conn.token,
      userId,
      backoffBaseMs: 5,
    });
    await fetchEvotorCatalog(
      {
        commands: new CommandHandler(this.c.eventStore),
        source: new EvotorClientCatalogSource(client),
      },
      userId,
      randomUUID(),
    );
    await this.settle();
  }

  async close(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.stop()));
    await this.c.close();
    await this.drop();
  }
}

export { csrfFrom, PASSWORD } from '../accounts/harness.js';
