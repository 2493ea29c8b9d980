import express, { type Express, type RequestHandler, type Router } from 'express';
import session from 'express-session';
import helmet from 'helmet';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Sequelize } from 'sequelize';
import type { CommandHandler } from '../../application/commands/command-handler.js';
import { createAccounts, type Accounts } from '../../application/accounts/index.js';
import type { EventStore } from '../../application/ports/event-store.js';
import type { Mailer } from '../../application/ports/mail.js';
import type { PasswordHasher } from '../../application/ports/password-hasher.js';
import type { PersonalDataCipher } from '../../application/ports/personal-data-cipher.js';
import type { Scheduler } from '../../application/ports/scheduler.js';
import type { ReadModelWaiter } from '../../application/ports/read-model-waiter.js';
import type { Config } from '../../infrastructure/config/config.js';
import { AesGcmCipher } from '../../infrastructure/crypto/aes-gcm-cipher.js';
import { BcryptHasher } from '../../infrastructure/crypto/bcrypt-hasher.js';
import { SequelizeKeyStore } from '../../infrastructure/crypto/key-store.js';
import type { Logger } from '../../infrastructure/logging/logger.js';
import { CheckpointWaiter } from '../../../projections/read-model-waiters.js';
import { adminAuditRoutes } from '../admin/audit-routes.js';
import { adminJobsRoutes } from '../admin/jobs-routes.js';
import { adminLogsRoutes } from '../admin/logs-routes.js';
import { adminRolesRoutes } from '../admin/roles-routes.js';
import { adminUsersRoutes } from '../admin/users-routes.js';
import { csrfProtection } from '../auth/csrf.js';
import { currentUser } from '../auth/current-user.js';
import { createPassport } from '../auth/passport.js';
import { DEFAULT_RATE_LIMITS, limiter, type RateLimitSettings } from '../auth/rate-limits.js';
import { SequelizeSessionStore } from '../auth/session-store.js';
import { exposeFlash } from '../forms.js';
import { profileRoutes } from './profile-routes.js';
import { publicRoutes } from './public-routes.js';

export const PUBLIC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'public');

export interface AccountsModuleDeps {
  config: Config;
  logger: Logger;
  sequelize: Sequelize;
  eventStore: EventStore;
  commands: CommandHandler;
  mail: Mailer;
  cipher?: PersonalDataCipher;
  hasher?: PasswordHasher;
  /** default: waits (at most 2 s) for the runner's checkpoint of the projection a page reads */
  readModel?: ReadModelWaiter;
  rateLimits?: Partial<RateLimitSettings>;
  /** paths that take POSTs without a CSRF token (webhooks with their own authentication) */
  csrfExempt?: (path: string) => boolean;
  /** for tests of link expiry; the command handler must be given the same clock */
  clock?: () => Date;
  /** the job monitor at /admin/jobs is mounted only with a scheduler */
  scheduler?: Scheduler;
}

/**
 * What the JivoSite chat widget loads and talks to; allowed only when it is configured. No
 * scheme: the script tag is protocol-relative, so the hosts follow the page's own scheme.
 */
const JIVO_HOSTS = ['*.jivosite.com', '*.jivo.ru'];
const JIVO_SOCKETS = ['wss://*.jivosite.com', 'wss://*.jivo.ru'];

function cspDirectives(secure: boolean, jivo: boolean) {
  const directives: Record<string, string[] | null> = {
    upgradeInsecureRequests: secure ? [] : null,
  };
  if (jivo) {
    Object.assign(directives, {
      scriptSrc: ["'self'", ...JIVO_HOSTS],
      connectSrc: ["'self'", ...JIVO_HOSTS, ...JIVO_SOCKETS],
      imgSrc: ["'self'", 'data:', 'blob:', ...JIVO_HOSTS],
      frameSrc: ["'self'", ...JIVO_HOSTS],
      mediaSrc: ["'self'", ...JIVO_HOSTS],
    });
  }
  return directives;
}

const DAY_MS = 24 * 3_600_000;
const SESSION_MAX_AGE_MS = 7 * DAY_MS;

/**
 * A signed-in session's cookie is sent anew once a day, with a fresh week: an active user is
 * never signed out, one away for a week is. A change of the session is what makes
 * express-session save it and send the cookie, so the day is noted in it. Anonymous sessions
 * are left alone (they are not stored until they hold something).
 */
const renewCookieDaily: RequestHandler = (req, _res, next) => {
  const s = req.session as unknown as
    { passport?: { user?: string }; renewedOn?: number } | undefined;
  const today = Math.floor(Date.now() / DAY_MS);
  if (s?.passport?.user && s.renewedOn !== today) s.renewedOn = today;
  next();
};

export interface AccountsModule {
  accounts: Accounts;
  cipher: PersonalDataCipher;
  sessions: SequelizeSessionStore;
  /** sessions, helmet, body parsing, CSRF, the current user, flash and view locals */
  configure(app: Express): void;
  routers: Router[];
  /** defines the built-in roles when missing */
  start(): Promise<void>;
}

export function accountsModule(deps: AccountsModuleDeps): AccountsModule {
  const { config, sequelize } = deps;
  const cipher =
    deps.cipher ?? new AesGcmCipher(new SequelizeKeyStore(sequelize), config.SECRET_KEY);
  const readModel = deps.readModel ?? new CheckpointWaiter(sequelize);
  const accounts = createAccounts({
    store: deps.eventStore,
    commands: deps.commands,
    cipher,
    hasher: deps.hasher ?? new BcryptHasher(config.NODE_ENV === 'test' ? 4 : 12),
    mailer: deps.mail,
    readModel,
    clock: deps.clock,
    settings: {
      baseUrl: config.BASE_URL,
      inviteExpireHours: config.INVITE_EXPIRE_HOURS,
      confirmExpireHours: 48,
      resetExpireMinutes: 60,
    },
  });
  const sessions = new SequelizeSessionStore(sequelize);
  const { initialize, authenticate } = createPassport(accounts.self);
  const limits = { ...DEFAULT_RATE_LIMITS, ...deps.rateLimits };
  const secure = config.BASE_URL.startsWith('https://');
  const jivositeWidgetId = config.JIVOSITE_WIDGET_ID ?? null;

  const configure = (app: Express) => {
    app.use(
      helmet({
        contentSecurityPolicy: { directives: cspDirectives(secure, jivositeWidgetId !== null) },
        hsts: secure,
      }),
    );
    app.use('/static', express.static(PUBLIC_DIR, { maxAge: '1h' }));
    // Browsers ask for it on their own; answered before sessions, so it never touches one.
    app.get('/favicon.ico', (_req, res) => {
      res.set('Cache-Control', 'public, max-age=86400').status(204).end();
    });
    app.use(express.urlencoded({ extended: true, limit: '100kb' }));
    app.use(
      session({
        name: 'evosync.sid',
        secret: config.SECRET_KEY,
        store: sessions,
        resave: false,
        saveUninitialized: false,
        // Not `rolling` (a new signed cookie on every response): renewCookieDaily below.
        rolling: false,
        cookie: { httpOnly: true, sameSite: 'lax', secure, maxAge: SESSION_MAX_AGE_MS },
      }),
    );
    app.use(renewCookieDaily);
    app.use(initialize);
    // The user first: a refused form's 403 page then shows the menu of who is signed in.
    app.use(currentUser(sequelize));
    app.use(csrfProtection({ exempt: deps.csrfExempt }));
    app.use((req, res, next) => {
      exposeFlash(req, res);
      res.locals.path = req.path;
      res.locals.can ??= () => false;
      // The chat is for shop owners (the layout checks `sync.use`); admin pages never get it.
      res.locals.jivositeWidgetId =
        jivositeWidgetId && !req.path.startsWith('/admin') ? jivositeWidgetId : null;
      next();
    });
  };

  const routers = [
    publicRoutes({
      accounts,
      authenticate: authenticate(),
      limits: {
        login: limiter(limits.windowMs, limits.login),
        register: limiter(limits.windowMs, limits.register),
        passwordReset: limiter(limits.windowMs, limits.passwordReset),
      },
    }),
    profileRoutes({ accounts }),
    adminUsersRoutes({ accounts, sequelize }),
    adminRolesRoutes({ accounts, sequelize }),
    adminAuditRoutes({ sequelize }),
    adminLogsRoutes({ sequelize }),
    ...(deps.scheduler
      ? [adminJobsRoutes({ scheduler: deps.scheduler, logger: deps.logger })]
      : []),
  ];

  return {
    accounts,
    cipher,
    sessions,
    configure,
    routers,
    start: () => accounts.roles.ensureDefaults(),
  };
}
