import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import type { Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandHandler } from '../../src/application/commands/command-handler.js';
import { emailHash } from '../../src/application/accounts/secrets.js';
import {
  printSyncConfig,
  readSyncConfig,
  UnknownUserError,
  type ConfigDeps,
} from '../../src/cli/config.js';
import { syncConfigDecider, type SyncConfigCommand } from '../../src/domain/sync-config/decide.js';
import { syncConfigStream } from '../../src/domain/sync-config/events.js';
import { emailReservationStreamId } from '../../src/domain/users/reservations.js';
import { createSequelize } from '../../src/infrastructure/db/database.js';
import { MariaDbEventStore } from '../../src/infrastructure/eventstore/mariadb/mariadb-event-store.js';
import { createTestDatabase } from '../support/mariadb.js';

const run = promisify(execFile);
/** A command without its userId, per member of the union. */
type Cmd = SyncConfigCommand extends infer C
  ? C extends unknown
    ? Omit<C, 'userId'>
    : never
  : never;
const CONFIRMED_AT = new Date('2026-03-01T10:00:00.000Z');

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let store: MariaDbEventStore;
let sequelize: Sequelize;
let deps: ConfigDeps;
const shop = randomUUID(); // in the users table, configured
const fresh = randomUUID(); // only a reservation stream, configured
const idle = randomUUID(); // in the users table, never configured

async function configure(userId: string, commands: Cmd[]) {
  const handler = new CommandHandler(store, { clock: () => CONFIRMED_AT });
  await handler.handleMany(
    syncConfigDecider,
    syncConfigStream(userId),
    commands.map((c) => ({ ...c, userId }) as SyncConfigCommand),
    { actor: userId },
  );
}

async function addUserRow(id: string, email: string) {
  await sequelize.query(
    `INSERT INTO users (id, email, name, status, role, created_at, updated_at, last_revision)
     VALUES (?, ?, 'Тест', 'active', 'user', NOW(3), NOW(3), 0)`,
    { replacements: [id, email] },
  );
}

beforeAll(async () => {
  db = await createTestDatabase('ops_config_cli');
  store = await MariaDbEventStore.create(db.url); // creates every table, users included
  sequelize = createSequelize(db.url);
  deps = { store, sequelize };
  await addUserRow(shop, 'shop@example.ru');
  await addUserRow(idle, 'idle@example.ru');
  await configure(shop, [
    { type: 'EnableSync' },
    { type: 'SetPriceMultiplier', multiplier: '1,15' },
    { type: 'ToggleSyncTask', task: 'refresh_vk_catalog', enabled: false },
    rule('store', 's-2', 'Склад', 'exclude', null),
    rule('store', 's-1', 'Магазин на Ленина', 'include', null),
    rule('group', 'g-9', 'Табак', 'exclude', 's-1'),
    rule('product', 'p-3', 'Кофе', 'include', 'g-1'),
    rule('product', 'p-4', 'Чай', 'include', 'g-1'),
    { type: 'ConfirmSync', storeIds: ['s-1', 's-2'] },
  ]);
  await configure(fresh, [{ type: 'EnableSync' }]);
  await store.appendToStream(emailReservationStreamId(emailHash('new@example.ru')), [
    {
      id: randomUUID(),
      type: 'EmailReserved',
      data: { userId: fresh },
      metadata: {
        actor: fresh,
        correlationId: randomUUID(),
        occurredAt: CONFIRMED_AT.toISOString(),
      },
    },
  ]);
});

afterAll(async () => {
  await sequelize?.close();
  await store?.close();
  await db?.drop();
});

function rule(
  entityType: 'store' | 'group' | 'product',
  entityId: string,
  entityName: string,
  mode: 'include' | 'exclude',
  parentEntityId: string | null,
): Cmd {
  return { type: 'SetFilterRule', entityType, entityId, entityName, mode, parentEntityId };
}

const collect = () => {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return { stream, text: () => text };
};

describe('evosync config', () => {
  it('folds the sync-config stream into the report, found by id', async () => {
    expect(await readSyncConfig(shop, deps)).toEqual({
      userId: shop,
      email: 'shop@example.ru',
      enabled: true,
      confirmed: true,
      confirmedAt: CONFIRMED_AT.toISOString(),
      status: 'active',
      priceMultiplier: '1.15',
      tasks: { refresh_catalog: true, refresh_vk_catalog: false, mirror_to_vk: true },
      stores: {
        mode: 'whitelist',
        included: [{ id: 's-1', name: 'Магазин на Ленина', parentId: null }],
        excluded: [{ id: 's-2', name: 'Склад', parentId: null }],
      },
      groups: {
        mode: 'blacklist',
        included: [],
        excluded: [{ id: 'g-9', name: 'Табак', parentId: 's-1' }],
      },
      products: {
        mode: 'whitelist',
        included: [
          { id: 'p-3', name: 'Кофе', parentId: 'g-1' },
          { id: 'p-4', name: 'Чай', parentId: 'g-1' },
        ],
        excluded: [],
      },
      revision: 8,
    });
  });

  it('finds a user by email in the users table, whatever the case', async () => {
    const report = await readSyncConfig('  SHOP@Example.ru ', deps);
    expect(report.userId).toBe(shop);
    expect(report.priceMultiplier).toBe('1.15');
  });

  it('finds a user not yet in the users table through the email reservation stream', async () => {
    const report = await readSyncConfig('new@example.ru', deps);
    expect(report).toMatchObject({
      userId: fresh,
      email: 'new@example.ru',
      enabled: true,
      confirmed: false,
      status: 'awaiting_confirmation',
      stores: { mode: 'all', included: [], excluded: [] },
    });
  });

  it('shows the defaults for a user who never touched the settings', async () => {
    expect(await readSyncConfig('idle@example.ru', deps)).toMatchObject({
      userId: idle,
      enabled: false,
      status: 'not_configured',
      priceMultiplier: '1',
      tasks: { refresh_catalog: true, refresh_vk_catalog: true, mirror_to_vk: true },
      revision: -1,
    });
  });

  it('refuses an unknown email or id', async () => {
    await expect(readSyncConfig('nobody@example.ru', deps)).rejects.toBeInstanceOf(
      UnknownUserError,
    );
    await expect(readSyncConfig(randomUUID(), deps)).rejects.toBeInstanceOf(UnknownUserError);
  });

  it('prints the report as JSON, and the message and exit code 1 for an unknown user', async () => {
    const out = collect();
    const err = collect();
    expect(await printSyncConfig(shop, deps, out.stream, err.stream)).toBe(0);
    expect(JSON.parse(out.text())).toEqual(await readSyncConfig(shop, deps));
    expect(err.text()).toBe('');

    const out2 = collect();
    expect(await printSyncConfig('nobody@example.ru', deps, out2.stream, err.stream)).toBe(1);
    expect(out2.text()).toBe('');
    expect(err.text()).toBe('Unknown user: nobody@example.ru (no account with this email)\n');
  });

  it('runs as the real command: node bin/evosync.js config', async () => {
    // Not process.env: vitest puts its own BASE_URL there, which the config would refuse.
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      EVENTSTORE_URL: db.url,
    };
    const { stdout } = await run('node', ['bin/evosync.js', 'config', 'shop@example.ru'], { env });
    expect(JSON.parse(stdout)).toEqual(await readSyncConfig(shop, deps));

    const missing = randomUUID();
    await expect(run('node', ['bin/evosync.js', 'config', missing], { env })).rejects.toMatchObject(
      {
        code: 1,
        stdout: '',
        stderr: `Unknown user: ${missing} (no account with this id)\n`,
      },
    );
  });
});
