import { existsSync, readFileSync } from 'node:fs';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';
import {
  DEFAULT_EVOTOR_FETCH_CONCURRENCY,
  DEFAULT_SYNC_CONCURRENCY,
} from '../../application/sync/sync-jobs.js';

/**
 * Settings keep the old system's names where they apply (see the old README); the new ones
 * choose adapters by URL. Defaults point at this machine's local services so that a fresh
 * clone runs without a `.env`.
 */
const LOCAL_MARIADB = 'mysql://root@127.0.0.1:3306/evosync';
const DEV_SECRET = 'change-me-in-production';

const url = (schemes: readonly string[]) =>
  z.string().refine(
    (value) => {
      try {
        return schemes.includes(new URL(value).protocol.replace(/:$/, ''));
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${schemes.map((s) => `${s}://`).join(', ')}` },
  );

/** A host name as VK publishes it (api.vk.com, id.vk.ru); no scheme, no path. */
const host = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i, {
    message: 'must be a host name such as api.vk.com, without https:// or a path',
  });

/** A whole number from the environment; a bad value is named (numbers are never secrets). */
const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.union([z.string(), z.number()]).transform((raw, ctx) => {
    const value = typeof raw === 'number' ? raw : Number(raw.trim());
    if (typeof raw === 'string' && raw.trim() === '') {
      ctx.addIssue({ code: 'custom', message: 'must be a whole number, got an empty value' });
      return z.NEVER;
    }
    if (!Number.isInteger(value)) {
      ctx.addIssue({ code: 'custom', message: `must be a whole number, got "${String(raw)}"` });
      return z.NEVER;
    }
    if (value < min || value > max) {
      ctx.addIssue({
        code: 'custom',
        message: `${max === Number.MAX_SAFE_INTEGER ? `must be at least ${min}` : `must be between ${min} and ${max}`}, got ${value}`,
      });
      return z.NEVER;
    }
    return value;
  });

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    PORT: int(0, 65535).default(8080),
    HOST: z.string().default('127.0.0.1'),
    /** the worker's `GET /metrics` listener (it has no web server); off when unset */
    WORKER_METRICS_PORT: int(1, 65535).optional(),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),

    DATABASE_URL: url(['mysql', 'mariadb']).default(LOCAL_MARIADB),
    EVENTSTORE_URL: url(['esdb', 'esdb+discover', 'mysql', 'mariadb', 'memory']).default(
      LOCAL_MARIADB,
    ),
    AGENDA_URL: url(['mongodb', 'mongodb+srv', 'redis', 'rediss']).default(
      'redis://127.0.0.1:6379/0',
    ),
    /** separates deployments sharing one Redis or MongoDB (key prefix / collection) */
    AGENDA_NAMESPACE: z
      .string()
      .regex(/^[A-Za-z0-9_:-]+$/, 'letters, digits, _, : and - only')
      .default('evosync'),
    REDIS_URL: url(['redis', 'rediss']).default('redis://127.0.0.1:6379/0'),

    SECRET_KEY: z.string().min(16, 'must be at least 16 characters').default(DEV_SECRET),
    DOMAIN: z.string().optional(),
    BASE_URL: z.string().url().optional(),

    EVOTOR_APP_ID: z.string().optional(),
    EVOTOR_WEBHOOK_SECRET: z.string().min(8, 'must be at least 8 characters').optional(),
    EVOTOR_API_URL: url(['http', 'https']).default('https://api.evotor.ru'),

    /** VK serves the API at api.vk.com and api.vk.ru */
    VK_API_HOST: host.default('api.vk.com'),
    /** the whole method URL instead of `https://{VK_API_HOST}/method` (simulators) */
    VK_API_URL: url(['http', 'https']).optional(),
    VK_OAUTH_URL: url(['http', 'https']).default('https://oauth.vk.com'),
    VK_APP_ID: z.string().optional(),
    VK_APP_SECRET: z.string().optional(),
    /** VK ID (OAuth 2.1 with PKCE): id.vk.com, also served as id.vk.ru */
    VK_ID_HOST: host.default('id.vk.com'),
    /** the whole VK ID URL instead of `https://{VK_ID_HOST}` (simulators) */
    VK_ID_URL: url(['http', 'https']).optional(),
    /** the VK ID app's id; VK ID sign-in is offered when it is set */
    VK_ID_APP_ID: z
      .string()
      .regex(/^\d{1,12}$/, 'must be the app id from the VK ID cabinet: digits only')
      .optional(),
    VK_API_VERSION: z
      .string()
      .regex(/^\d+\.\d+$/, 'must look like 5.199')
      .default('5.199'),
    VK_DEFAULT_PHOTO_PATH: z.string().default('assets/default_product.png'),
    VK_CATEGORY_ID: int(1).default(40932),
    /**
     * The «всегда N» of owners who chose no N of their own, and the stock of products sold by
     * measure; the same range as the owner's N (see domain/sync-config/stock.ts)
     */
    VK_STOCK_AMOUNT: int(-1, 999_999)
      .refine((n) => n !== 0, 'must not be 0 (every item would be unavailable); -1 = no limit')
      .default(1000),

    CATALOG_REFRESH_INTERVAL_SECONDS: int(10).default(3600),
    /**
     * Fetch and push jobs of each kind one worker runs at once. Each waits on its own shop's
     * VK token (3 requests/s), so this follows the number of shops, not the CPUs.
     */
    SYNC_JOB_CONCURRENCY: int(1, 500).default(DEFAULT_SYNC_CONCURRENCY),
    /**
     * Evotor fetches one worker runs at once. They wait on no token but on this process's CPU:
     * many more at once make every shop's catalog arrive later (see jobs.ts).
     */
    EVOTOR_FETCH_CONCURRENCY: int(1, 500).default(DEFAULT_EVOTOR_FETCH_CONCURRENCY),
    INVITE_EXPIRE_HOURS: int(1).default(48),
    API_LOG_RETENTION_DAYS: int(1).default(30),

    EMAIL_PROVIDER: z.enum(['console', 'smtp']).default('console'),
    SMTP_URL: z.string().optional(),
    SMS_PROVIDER: z.enum(['console']).default('console'),
    /** goes into the chat widget's script URL on shop owners' pages */
    JIVOSITE_WIDGET_ID: z
      .string()
      .regex(/^[A-Za-z0-9]{1,64}$/, 'must be the widget id from JivoSite: letters and digits only')
      .optional(),
  })
  .superRefine((c, ctx) => {
    if (c.NODE_ENV === 'production' && c.SECRET_KEY === DEV_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['SECRET_KEY'], message: 'must be set in production' });
    }
    if (c.EMAIL_PROVIDER === 'smtp' && !c.SMTP_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['SMTP_URL'],
        message: 'is required when EMAIL_PROVIDER=smtp',
      });
    }
  });

export type Config = z.infer<typeof schema> & {
  BASE_URL: string;
  VK_API_URL: string;
  VK_ID_URL: string;
};

/** Every setting's name, optional ones included (`.env.example` is checked against it). */
export const CONFIG_KEYS = Object.keys(schema.shape) as Array<keyof Config>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads `.env` (if present) under the process environment; the environment wins. */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  dotenvPath: string | null = '.env',
): Config {
  const fromFile =
    dotenvPath && existsSync(dotenvPath) ? parseDotenv(readFileSync(dotenvPath)) : {};
  const merged: Record<string, string | undefined> = { ...fromFile, ...env };
  // An empty variable means "not set", as in the old Pydantic settings.
  for (const [key, value] of Object.entries(merged)) if (value === '') delete merged[key];

  const parsed = schema.safeParse(merged);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
    );
  }
  const c = parsed.data;
  const baseUrl = c.BASE_URL ?? (c.DOMAIN ? `https://${c.DOMAIN}` : `http://${c.HOST}:${c.PORT}`);
  return {
    ...c,
    BASE_URL: baseUrl.replace(/\/$/, ''),
    VK_API_URL: c.VK_API_URL ?? `https://${c.VK_API_HOST}/method`,
    VK_ID_URL: c.VK_ID_URL ?? `https://${c.VK_ID_HOST}`,
  };
}
