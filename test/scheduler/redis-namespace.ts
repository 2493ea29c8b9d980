import { randomBytes } from 'node:crypto';
import { RedisJobRepository } from '@agendajs/redis-backend';

export const LOCAL_REDIS_URL = 'redis://127.0.0.1:6379/0';

/** A key prefix of its own for one test file, so files can run in parallel. */
export function uniqueNamespace(label: string): string {
  return `evosync-test:${label}:${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Deletes every key under the namespace (the scheduler's keys are `${namespace}:…`). */
export async function dropNamespace(namespace: string): Promise<void> {
  await dropKeys(`${namespace}*`);
}

/**
 * Deletes the namespaces `${prefix}<pid>` whose process is gone: a bench run that was killed
 * never dropped its own, and its jobs and unique keys would stay in Redis for ever.
 */
export async function dropDeadNamespaces(prefix: string): Promise<string[]> {
  const pids = new Set<number>();
  await eachKey(`${prefix}*`, async (keys) => {
    for (const key of keys) {
      const pid = Number(/^(\d+):/.exec(key.slice(prefix.length))?.[1]);
      if (Number.isInteger(pid) && pid > 0) pids.add(pid);
    }
  });
  const dead = [...pids].filter((pid) => !alive(pid)).map((pid) => `${prefix}${pid}`);
  for (const namespace of dead) await dropNamespace(`${namespace}:`);
  return dead;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Deletes the scheduler's index of unique keys (see unique-index.ts), and nothing else. */
export async function dropIndexOfUniqueKeys(namespace: string): Promise<void> {
  await dropKeys(`${namespace}:unique:*`);
}

async function dropKeys(pattern: string): Promise<void> {
  await eachKey(pattern, async (keys, redis) => {
    if (keys.length > 0) await redis.del(...keys);
  });
}

/** Every page of keys matching `pattern` (Redis SCAN), on a connection of its own. */
async function eachKey(
  pattern: string,
  page: (keys: string[], redis: ReturnType<RedisJobRepository['getRedis']>) => Promise<void>,
): Promise<void> {
  const repository = new RedisJobRepository({ connectionString: LOCAL_REDIS_URL });
  const redis = repository.getRedis();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      await page(keys, redis);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Polls until `check` returns a value other than undefined/false (never a fixed sleep). */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
