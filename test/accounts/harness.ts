import type { Express } from 'express';
import type { Sequelize } from 'sequelize';
import request from 'supertest';
import { CommandHandler } from '../../src/application/commands/command-handler.js';
import type { Scheduler } from '../../src/application/ports/scheduler.js';
import { loadConfig } from '../../src/infrastructure/config/config.js';
import { AesGcmCipher } from '../../src/infrastructure/crypto/aes-gcm-cipher.js';
import { BcryptHasher } from '../../src/infrastructure/crypto/bcrypt-hasher.js';
import { SequelizeKeyStore } from '../../src/infrastructure/crypto/key-store.js';
import { createSequelize } from '../../src/infrastructure/db/database.js';
import { migrate } from '../../src/infrastructure/db/migrate.js';
import { MemoryEventStore } from '../../src/infrastructure/eventstore/memory/memory-event-store.js';
import { createLogger } from '../../src/infrastructure/logging/logger.js';
import { ConsoleMailer } from '../../src/infrastructure/mail/mailers.js';
import { createWebApp } from '../../src/web/app.js';
import { accountsModule, type AccountsModule } from '../../src/web/accounts/module.js';
import type { RateLimitSettings } from '../../src/web/auth/rate-limits.js';
import { accountProjections } from '../../projections/accounts.js';
import { InlineProjector } from '../support/inline-projector.js';
import { createTestDatabase } from '../support/mariadb.js';

export interface Harness {
  app: Express;
  sequelize: Sequelize;
  store: MemoryEventStore;
  mailer: ConsoleMailer;
  module: AccountsModule;
  config: ReturnType<typeof loadConfig>;
  close(): Promise<void>;
}

/**
 * The accounts module on a fresh MariaDB database and the in-memory event store. The read
 * models are projected inline after each command (InlineProjector), standing in for the runner.
 */
export async function startHarness(
  label: string,
  options: {
    rateLimits?: Partial<RateLimitSettings>;
    baseUrl?: string;
    clock?: () => Date;
    scheduler?: Scheduler;
    /** further settings, as environment variables */
    env?: Record<string, string>;
  } = {},
): Promise<Harness> {
  const db = await createTestDatabase(label);
  const sequelize = createSequelize(db.url);
  await migrate(sequelize);
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      SECRET_KEY: 'test-secret-key-0123456789',
      BASE_URL: options.baseUrl ?? 'http://127.0.0.1:9',
      INVITE_EXPIRE_HOURS: '48',
      ...options.env,
    },
    null,
  );
  const logger = createLogger({ level: 'silent' });
  const store = new MemoryEventStore();
  const mailer = new ConsoleMailer();
  const cipher = new AesGcmCipher(new SequelizeKeyStore(sequelize), config.SECRET_KEY);
  const module = accountsModule({
    config,
    logger,
    sequelize,
    eventStore: store,
    commands: new CommandHandler(store, { clock: options.clock }),
    clock: options.clock,
    mail: mailer,
    cipher,
    hasher: new BcryptHasher(4),
    readModel: new InlineProjector(store, sequelize, accountProjections(cipher)),
    rateLimits: { login: 1000, register: 1000, passwordReset: 1000, ...options.rateLimits },
    scheduler: options.scheduler,
  });
  await module.start();
  const app = createWebApp({
    logger,
    healthChecks: [],
    configure: module.configure,
    routers: module.routers,
  });
  return {
    app,
    sequelize,
    store,
    mailer,
    module,
    config,
    async close() {
      await sequelize.close();
      await db.drop();
    },
  };
}

export type Agent = ReturnType<typeof request.agent>;

export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no CSRF token in the page');
  return match[1]!;
}

/** GETs the form page (for its CSRF token), then POSTs the fields with the token. */
export async function submit(
  agent: Agent,
  formPath: string,
  postPath: string,
  fields: Record<string, string | string[]>,
) {
  const page = await agent.get(formPath);
  return agent
    .post(postPath)
    .type('form')
    .send({ ...fields, _csrf: csrfFrom(page.text) });
}

/** The link in the newest mail to this address. */
export function linkFrom(mailer: ConsoleMailer, to: string, path: string): string {
  const mail = mailer.lastTo(to);
  const match = mail ? new RegExp(`https?://[^\\s]+${path}\\?[^\\s]+`).exec(mail.text) : null;
  if (!match) throw new Error(`no ${path} link in the mail to ${to}`);
  const url = new URL(match[0]);
  return `${url.pathname}${url.search}`;
}

export const PASSWORD = 'Correct-horse-42';

export async function registerAndConfirm(
  h: Harness,
  agent: Agent,
  email: string,
  name = 'Тест',
): Promise<void> {
  const res = await submit(agent, '/register', '/register', {
    email,
    name,
    password: PASSWORD,
    password2: PASSWORD,
  });
  if (res.status !== 200)
    throw new Error(`register failed: ${res.status} ${res.text.slice(0, 300)}`);
  const confirm = await agent.get(linkFrom(h.mailer, email, '/confirm-email'));
  if (confirm.status !== 303) throw new Error(`confirm failed: ${confirm.status}`);
}

export async function login(agent: Agent, email: string, password = PASSWORD) {
  return submit(agent, '/login', '/login', { email, password });
}

/** A system account made the way `evosync admin create` makes it, logged in on a new agent. */
export async function systemAdmin(h: Harness, email = 'root@example.test'): Promise<Agent> {
  await h.module.accounts.admin.createSystemAccount(email, PASSWORD);
  const agent = request.agent(h.app);
  const res = await login(agent, email);
  if (res.status !== 303)
    throw new Error(`admin login failed: ${res.status} ${res.text.slice(0, 300)}`);
  return agent;
}
