import { createHash } from 'node:crypto';
import Bottleneck from 'bottleneck';
import { Redis } from 'ioredis';
import { sleep } from '../shared/sleep.js';
import { VkTransportError } from './errors.js';

export type VkTokenKind = 'user' | 'community';

/** VK's published limits; requests per second per token. */
export const VK_RATE_LIMITS: Record<VkTokenKind, number> = { user: 3, community: 20 };

/** Spacing a little wider than 1/limit keeps requests evenly spread rather than in bursts. */
export const DEFAULT_SAFETY_MARGIN = 0.05;

const WINDOW_MS = 1000;
/** added to the window, for clocks that round differently */
const WINDOW_PAD_MS = 15;
/** a token's state in Redis goes after this long without a request */
const IDLE_KEYS_MS = 10 * 60_000;
/**
 * How long a request may hold its slot: longer than any call the limiter wraps (the VK client's
 * 30 s timeout) plus the window. Past it the slot is freed, which matters when the process
 * holding it died (kill -9, a lost machine): in Redis its slots would stay taken for as long
 * as the token is in use, and after three such deaths the shop's VK calls would wait for ever.
 */
export const SLOT_EXPIRATION_MS = 90_000;
/** Redis key prefix of the limiters (Bottleneck adds `b_` and its own suffixes) */
const KEY_PREFIX = 'evosync:vk-limit';

/**
 * One token's limiter. A request holds one of the token's `limit` slots from before it is sent
 * until a window after its answer came. VK counts a request when it arrives, which is after we
 * send it and before we hear back, so however the network or a busy event loop delays single
 * requests, VK never sees more than `limit` of ours in any sliding window: if it saw one more
 * within a second, all of them would have held a slot at the moment the last one arrived.
 * Bottleneck keeps the slots (`maxConcurrent`) and spaces the starts (`minTime`); with a shared
 * Redis connection (shareVkLimits) its state is in Redis, so every process using the token (the
 * web's connection check, each worker) takes from one allowance: the limit belongs to the
 * token, not to a process. Without one, the state is this process's.
 */
export class TokenLimiter {
  private readonly bottleneck: Bottleneck;

  constructor(
    public perSecond: number,
    margin: number,
    shared?: { connection: Bottleneck.IORedisConnection; key: string },
    private readonly slotExpirationMs = SLOT_EXPIRATION_MS,
  ) {
    this.bottleneck = new Bottleneck({
      ...settingsFor(perSecond, margin),
      ...(shared && {
        id: `${KEY_PREFIX}:${shared.key}`,
        datastore: 'ioredis',
        connection: shared.connection,
        clearDatastore: false,
        timeout: IDLE_KEYS_MS,
      }),
    });
  }

  schedule<T>(fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.bottleneck
        .schedule({ expiration: this.slotExpirationMs }, async () => {
          try {
            resolve(await fn());
          } catch (error) {
            reject(error);
          }
          // The caller has its answer; the slot stays taken for a window (see the class).
          await sleep(WINDOW_MS + WINDOW_PAD_MS);
        })
        // Bottleneck's own failure (Redis unreachable): the request was not sent, and callers
        // treat it as VK being out of reach for now (retried later, "try again" on a page).
        .catch((error: unknown) =>
          reject(
            new VkTransportError(
              `VK rate limits: REDIS_URL unreachable (${error instanceof Error ? error.message : String(error)})`,
              null,
            ),
          ),
        );
    });
  }

  update(perSecond: number, margin: number): void {
    this.perSecond = perSecond;
    void this.bottleneck.updateSettings(settingsFor(perSecond, margin));
  }

  async stop(): Promise<void> {
    await this.bottleneck.disconnect(false);
  }
}

const allowance = (perSecond: number) => Math.max(1, Math.floor(perSecond));

function settingsFor(perSecond: number, margin: number): Bottleneck.ConstructorOptions {
  return {
    minTime: Math.ceil((WINDOW_MS / perSecond) * (1 + margin)),
    maxConcurrent: allowance(perSecond),
  };
}

/**
 * One limiter per token for the whole process, so every caller holding the same token
 * (jobs, web requests, batchers) shares one allowance. Keyed by a hash so tokens stay out of
 * the map's keys (and Redis keys), which may show up in heap dumps or debug output.
 */
const registry = new Map<string, TokenLimiter>();

/** the Redis connection the limiters keep their state in, while a process shares it */
let shared: { client: Redis; connection: Bottleneck.IORedisConnection; users: number } | null =
  null;

export const tokenKey = (token: string) =>
  createHash('sha256').update(token).digest('hex').slice(0, 24);

export function limiterForToken(
  token: string,
  perSecond: number,
  margin = DEFAULT_SAFETY_MARGIN,
): TokenLimiter {
  const key = tokenKey(token);
  const existing = registry.get(key);
  if (existing) {
    if (existing.perSecond !== perSecond) existing.update(perSecond, margin);
    return existing;
  }
  const limiter = new TokenLimiter(
    perSecond,
    margin,
    shared ? { connection: shared.connection, key } : undefined,
  );
  registry.set(key, limiter);
  return limiter;
}

/** Drops a token's limiter (after disconnecting a community, or between tests). */
export async function releaseTokenLimiter(token: string): Promise<void> {
  const key = tokenKey(token);
  const limiter = registry.get(key);
  registry.delete(key);
  await limiter?.stop();
}

/**
 * From now on this process's VK limiters keep their state in the Redis at `redisUrl`, shared
 * with every other process that does the same (the composition root calls it with REDIS_URL).
 * Returns what ends it; the connection closes when the last user closed.
 */
export function shareVkLimits(redisUrl: string): {
  /** resolves once Redis answered; rejects (after a few tries) when it cannot be reached */
  ready(): Promise<void>;
  close(): Promise<void>;
} {
  if (!shared) {
    void Promise.all(dropLimiters());
    const client = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
    shared = { client, connection: new Bottleneck.IORedisConnection({ Redis, client }), users: 0 };
  }
  const mine = shared;
  mine.users++;
  let closed = false;
  return {
    async ready() {
      await mine.client.ping();
    },
    async close() {
      if (closed) return;
      closed = true;
      if (--mine.users > 0 || shared !== mine) return;
      shared = null;
      await Promise.all(dropLimiters());
      await mine.connection.disconnect(false);
    },
  };
}

/** Forgets every limiter: the next call of a token makes one on the current store. */
function dropLimiters(): Promise<void>[] {
  const stopping = [...registry.values()].map((l) => l.stop().catch(() => undefined));
  registry.clear();
  return stopping;
}
