import { MongoBackend } from '@agendajs/mongo-backend';
import { RedisBackend } from '@agendajs/redis-backend';
import type { AgendaBackend } from 'agenda';

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
}

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
    case 'redis':
      return {
        kind,
        backend: new RedisBackend({
          connectionString: url,
          keyPrefix: `${namespace}:`,
          channelName: `${namespace}:notifications`,
        }),
      };
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
