import { MongoBackend } from '@agendajs/mongo-backend';
import { RedisBackend, RedisJobRepository } from '@agendajs/redis-backend';
import { BaseNotificationChannel, type AgendaBackend } from 'agenda';
import { connect as tcpConnect } from 'node:net';

export type AgendaBackendKind = 'redis' | 'mongodb';

/** `AGENDA_URL` chooses the backend by its scheme (see ARCHITECTURE §2). */
export function agendaBackendKind(url: string): AgendaBackendKind {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new Error('AGENDA_URL is not a URL');
  }
  switch (protocol) {
    case 'redis:':
    case 'rediss:':
      return 'redis';
    case 'mongodb:':
    case 'mongodb+srv:':
      return 'mongodb';
    default:
      // The URL may carry a password: name the scheme only.
      throw new Error(`AGENDA_URL scheme ${protocol} is not supported (redis, mongodb)`);
  }
}

export interface AgendaBackendOptions {
  /**
   * Separates schedulers sharing one database: the Redis key prefix (and pub/sub channel), or
   * the MongoDB collection name. Tests use a unique one per file.
   */
  namespace?: string;
  /**
   * Told about the Redis client's connection errors (it retries by itself). Without a listener
   * ioredis prints a stack trace to stderr for every failed attempt.
   */
  onConnectionError?: (error: Error) => void;
  /** Told when the Redis client is connected again after an error. */
  onReconnected?: () => void;
}

/** The prefix of every Redis key of the scheduler's namespace. */
export const redisKeyPrefix = (namespace = 'agenda') => `${namespace}:`;

/**
 * Builds the backend without connecting (the MongoDB backend connects in `connect()`; the Redis
 * one opens its socket when constructed, so build it only when about to connect).
 *
 * The MongoDB backend is not exercised by the tests on this machine (no MongoDB here): only its
 * selection and construction are.
 */
export function createAgendaBackend(
  url: string,
  options: AgendaBackendOptions = {},
): { kind: AgendaBackendKind; backend: AgendaBackend } {
  const kind = agendaBackendKind(url);
  const namespace = options.namespace ?? 'agenda';
  switch (kind) {
    case 'redis': {
      const backend = new RedisBackend({
        connectionString: url,
        keyPrefix: redisKeyPrefix(options.namespace),
        channelName: `${namespace}:notifications`,
      });
      const repository = backend.repository;
      if (repository instanceof RedisJobRepository) {
        const redis = repository.getRedis();
        redis.on('error', (error: Error) => options.onConnectionError?.(error));
        redis.on('ready', () => options.onReconnected?.());
      }
      // The pub/sub channel re-emits its subscriber connection's errors as its own 'error'
      // event; with no listener that event is an uncaught exception: a Redis blip would kill
      // the process.
      const channel = backend.notificationChannel;
      if (channel instanceof BaseNotificationChannel) {
        channel.on('error', (error: Error) => options.onConnectionError?.(error));
      }
      return { kind, backend };
    }
    case 'mongodb':
      return {
        kind,
        backend: new MongoBackend({
          address: url,
          collection: namespace === 'agenda' ? 'agendaJobs' : `${namespace}Jobs`,
          // Fail a start-up against an unreachable server in seconds rather than 30 s.
          options: { serverSelectionTimeoutMS: 10_000 },
        }),
      };
  }
}

/**
 * Agenda's constructor calls `backend.connect()` without handling a rejection, which would
 * crash the process on an unreachable database. We connect first ourselves (so the caller sees
 * the error) and hand Agenda this view whose `connect()` has nothing left to do.
 */
export function preconnected(backend: AgendaBackend): AgendaBackend {
  return {
    get name() {
      return backend.name;
    },
    get repository() {
      return backend.repository;
    },
    get notificationChannel() {
      return backend.notificationChannel;
    },
    get logger() {
      return backend.logger;
    },
    ownsConnection: true,
    connect: async () => {},
    disconnect: () => backend.disconnect(),
  };
}

/** `host:port` of the URL, never its password: what a message may name. */
export function backendAddress(url: string): string {
  try {
    const parsed = new URL(url);
    const host = parsed.hostname || '127.0.0.1';
    if (parsed.protocol === 'mongodb+srv:') return host;
    const port = parsed.port || (agendaBackendKind(url) === 'redis' ? '6379' : '27017');
    return `${host}:${port}`;
  } catch {
    return 'the configured address';
  }
}

/**
 * Whether a TCP connection to the Redis server opens within `timeoutMs`. The Redis client
 * itself would retry 20 times (and print each failure) before the first command fails, so a
 * start against a wrong address is answered by this probe instead: one clear message at once.
 */
export function probeTcp(url: string, timeoutMs = 5_000): Promise<string | null> {
  const parsed = new URL(url);
  return new Promise((resolve) => {
    const socket = tcpConnect({
      host: parsed.hostname || '127.0.0.1',
      port: Number(parsed.port || 6379),
    });
    const done = (problem: string | null) => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(timeoutMs, () => done(`no answer within ${timeoutMs / 1000} s`));
    socket.once('connect', () => done(null));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
  });
}
