import { describe, expect, it } from 'vitest';
import { MongoBackend } from '@agendajs/mongo-backend';
import { createLogger } from '../../src/infrastructure/logging/logger.js';
import {
  agendaBackendKind,
  backendAddress,
  createAgendaBackend,
} from '../../src/infrastructure/scheduler/agenda-backend.js';
import { AgendaScheduler } from '../../src/infrastructure/scheduler/agenda-scheduler.js';

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
    const scheduler = new AgendaScheduler({
      url: 'mongodb://127.0.0.1:1/evosync',
      logger: createLogger({ level: 'silent' }),
    });
    expect(scheduler.backendKind).toBe('mongodb');
    scheduler.define('anything', async () => {});
    await scheduler.stop();
  });
});
