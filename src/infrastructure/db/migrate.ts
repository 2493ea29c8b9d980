import { SequelizeStorage, Umzug } from 'umzug';
import type { QueryInterface, Sequelize } from 'sequelize';
import type { Logger } from '../logging/logger.js';
import { qualifiedLockName } from '../projections/named-lock.js';
import { migrations } from './migrations/index.js';

export interface Migration {
  /** ordered by name: `NNNN-what` */
  name: string;
  up(context: { queryInterface: QueryInterface; sequelize: Sequelize }): Promise<void>;
  down(context: { queryInterface: QueryInterface; sequelize: Sequelize }): Promise<void>;
}

/** Runs every pending migration; called on start by web, worker and CLI. */
export async function migrate(sequelize: Sequelize, logger?: Logger): Promise<string[]> {
  type Context = { queryInterface: QueryInterface; sequelize: Sequelize };
  const umzug = new Umzug<Context>({
    migrations: [...migrations]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((m) => ({
        name: m.name,
        up: ({ context }: { context: Context }) => m.up(context),
        down: ({ context }: { context: Context }) => m.down(context),
      })),
    context: { queryInterface: sequelize.getQueryInterface(), sequelize },
    storage: new SequelizeStorage({ sequelize, tableName: 'schema_migrations' }),
    logger: undefined,
  });
  // Two processes starting at once must not run the same migration twice.
  const lock = qualifiedLockName(sequelize.getDatabaseName(), 'evosync:migrate');
  const [rows] = await sequelize.query('SELECT GET_LOCK(?, 60) AS got', { replacements: [lock] });
  if ((rows as Array<{ got: number }>)[0]?.got !== 1)
    throw new Error('Could not take the migration lock');
  try {
    const applied = await umzug.up();
    if (applied.length > 0)
      logger?.info({ migrations: applied.map((m) => m.name) }, 'migrations applied');
    return applied.map((m) => m.name);
  } finally {
    await sequelize.query('SELECT RELEASE_LOCK(?)', { replacements: [lock] });
  }
}
