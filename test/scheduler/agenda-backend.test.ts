import { createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { MongoBackend } from '@agendajs/mongo-backend';
import { createLogger } from '../../src/infrastructure/logging/logger.js';
import {
  agendaBackendKind,
  backendAddress,
  createAgendaBackend,
} from '../../src/infrastructure/scheduler/agenda-backend.js';
import { AgendaScheduler } from '../../src/infrastructure/scheduler/agenda-scheduler.js';
import { waitFor } from './redis-namespace.js';

/** A TCP listener on a free port that counts the connections made to it and answers nothing. */
async function countingListener() {
  let count = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    count += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    connections: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

// No MongoDB on this machine: the MongoDB backend is only selected and constructed here,
// never connected. Its behaviour is Agenda's own; the Redis tests cover the port's logic.
describe('choosing the Agenda backend by AGENDA_URL', () => {
  it('maps the URL schemes to backends', () => {
    expect(agendaBackendKind('redis://127.0.0.1:6379/0')).toBe('redis');
    expect(agendaBackendKind('rediss://user:pw@redis.example:6380')).toBe('redis');
    expect(agendaBackendKind('mongodb://mongodb:27017/evosync')).toBe('mongodb');
    expect(agendaBackendKind('mongodb+srv://cluster.example/evosync')).toBe('mongodb');
  });

  it('rejects other schemes without echoing the URL (it may hold a password)', () => {
    expect(() => agendaBackendKind('mysql://root:hunter2@db/evosync')).toThrow(/mysql:/);
    expect(() => agendaBackendKind('mysql://root:hunter2@db/evosync')).not.toThrow(/hunter2/);
    expect(() => agendaBackendKind('not a url')).toThrow(/not a URL/);
  });

  it('names the address in messages as host:port, never with the password', () => {
    expect(backendAddress('redis://:hunter2@127.0.0.1/0')).toBe('127.0.0.1:6379');
    expect(backendAddress('rediss://u:hunter2@redis.example:6380')).toBe('redis.example:6380');
    expect(backendAddress('mongodb://u:hunter2@mongodb/evosync')).toBe('mongodb:27017');
    expect(backendAddress('mongodb+srv://u:hunter2@cluster.example/evosync')).toBe(
      'cluster.example',
    );
  });

  it('builds the MongoDB backend without connecting', () => {
    const { kind, backend } = createAgendaBackend('mongodb://127.0.0.1:1/evosync', {
      namespace: 'evosyncTest',
    });
    expect(kind).toBe('mongodb');
    expect(backend).toBeInstanceOf(MongoBackend);
    expect(backend.ownsConnection).toBe(true);
    expect(backend.notificationChannel).toBeUndefined();
  });

  it('constructs a MongoDB-backed scheduler lazily: nothing connects before first use', async () => {
    // A listener that only counts connections stands where MongoDB would be; the driver gives
    // up on it quickly (no MongoDB answers), so the control below ends soon.
    const listener = await countingListener();
    const url = `mongodb://127.0.0.1:${listener.port}/evosync?serverSelectionTimeoutMS=300`;
    try {
      const scheduler = new AgendaScheduler({ url, logger: createLogger({ level: 'silent' }) });
      expect(scheduler.backendKind).toBe('mongodb');
      scheduler.define('anything', async () => {});
      await scheduler.stop();
      expect(listener.connections()).toBe(0);

      // The control: the same listener does see the scheduler once it is used.
      const used = new AgendaScheduler({ url, logger: createLogger({ level: 'silent' }) });
      const starting = used.start().catch(() => undefined);
      await waitFor(() => listener.connections() > 0, 'a connection from a started scheduler');
      await starting;
      await used.stop();
      expect(listener.connections()).toBeGreaterThan(0);
    } finally {
      await listener.close();
    }
    // The control's start gives up only after the driver's own connect timeout (about 10 s).
  }, 60_000);
});
