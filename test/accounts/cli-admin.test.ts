import { Command } from 'commander';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerAdmin } from '../../src/cli/admin.js';
import { createSequelize } from '../../src/infrastructure/db/database.js';
import { createTestDatabase } from '../support/mariadb.js';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
const saved = { ...process.env };

beforeAll(async () => {
  db = await createTestDatabase('cli_admin');
  // the MariaDB event store in the same test database, so the events can be inspected
  Object.assign(process.env, {
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    EVENTSTORE_URL: db.url,
    SECRET_KEY: 'cli-test-secret-0123456789',
    BASE_URL: 'http://127.0.0.1:8080',
  });
});
afterAll(async () => {
  process.env = saved;
  await db?.drop();
});

async function run(...args: string[]) {
  const program = new Command().exitOverride();
  registerAdmin(program);
  await program.parseAsync(['node', 'evosync', ...args]);
}

describe('evosync admin create', () => {
  it('refuses a weak password and writes nothing', async () => {
    await expect(
      run('admin', 'create', '--email', 'root@example.test', '--password', '12345678'),
    ).rejects.toThrow(/Пароль должен содержать буквы и цифры|слишком распространён/);
    const sequelize = createSequelize(db.url);
    try {
      const users = await sequelize.query(
        "SELECT stream_id FROM events WHERE stream_id LIKE 'user-%'",
        { type: QueryTypes.SELECT },
      );
      expect(users).toEqual([]);
    } finally {
      await sequelize.close();
    }
  });

  it('creates an active system account, and refuses the same email twice', async () => {
    await run(
      'admin',
      'create',
      '--email',
      'Root@Example.test',
      '--password',
      'Strong-root-pass-9',
    );
    const sequelize = createSequelize(db.url);
    try {
      const events = await sequelize.query<{ stream_id: string; type: string; data: string }>(
        'SELECT stream_id, type, data FROM events ORDER BY position',
        { type: QueryTypes.SELECT },
      );
      const registered = events.find((e) => e.type === 'UserRegistered')!;
      const data = JSON.parse(registered.data) as {
        roles: string[];
        status: string;
        email: string;
      };
      expect(data.roles).toEqual(['system']);
      expect(data.status).toBe('active');
      expect(registered.data).not.toContain('root@example.test');
      expect(
        events.some((e) => e.stream_id === 'system-accounts' && e.type === 'SystemAccountGranted'),
      ).toBe(true);
      expect(events.filter((e) => e.type === 'RoleDefined')).toHaveLength(3);
    } finally {
      await sequelize.close();
    }
    await expect(
      run('admin', 'create', '--email', 'root@example.test', '--password', 'Strong-root-pass-9'),
    ).rejects.toThrow('Этот email уже зарегистрирован');
  });
});
