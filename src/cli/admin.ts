import type { Command } from 'commander';
import { z } from 'zod';
import { CommandHandler } from '../application/commands/command-handler.js';
import { createAccounts } from '../application/accounts/index.js';
import { AccountError } from '../application/accounts/errors.js';
import { DomainError } from '../domain/shared/decider.js';
import { loadConfig } from '../infrastructure/config/config.js';
import { AesGcmCipher } from '../infrastructure/crypto/aes-gcm-cipher.js';
import { BcryptHasher } from '../infrastructure/crypto/bcrypt-hasher.js';
import { SequelizeKeyStore } from '../infrastructure/crypto/key-store.js';
import { createSequelize, ensureDatabase } from '../infrastructure/db/database.js';
import { migrate } from '../infrastructure/db/migrate.js';
import { createEventStore } from '../infrastructure/eventstore/create-event-store.js';
import { createLogger } from '../infrastructure/logging/logger.js';
import { createMailer } from '../infrastructure/mail/mailers.js';

/**
 * `evosync admin create --email … --password …`: the first system account, active at once.
 * The password may come from EVOSYNC_ADMIN_PASSWORD instead, to keep it out of the shell
 * history. Returns the new user id.
 */
export async function adminCreate(
  options: { email: string; password?: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const password = options.password ?? env.EVOSYNC_ADMIN_PASSWORD;
  if (!password) throw new Error('Укажите --password (или EVOSYNC_ADMIN_PASSWORD).');
  if (!z.email().safeParse(options.email.trim()).success) throw new Error('Email указан неверно.');
  const config = loadConfig(env);
  const logger = createLogger({ level: 'warn' });
  await ensureDatabase(config.DATABASE_URL);
  const sequelize = createSequelize(config.DATABASE_URL);
  const store = await createEventStore(config.EVENTSTORE_URL, logger);
  try {
    await migrate(sequelize, logger);
    const accounts = createAccounts({
      store,
      commands: new CommandHandler(store),
      cipher: new AesGcmCipher(new SequelizeKeyStore(sequelize), config.SECRET_KEY),
      hasher: new BcryptHasher(config.NODE_ENV === 'test' ? 4 : 12),
      mailer: createMailer(config, logger),
      // the worker's projections pick the new account up; the CLI does not wait for them
      readModel: { waitFor: async () => {} },
      settings: {
        baseUrl: config.BASE_URL,
        inviteExpireHours: config.INVITE_EXPIRE_HOURS,
        confirmExpireHours: 48,
        resetExpireMinutes: 60,
      },
    });
    await accounts.roles.ensureDefaults();
    return await accounts.admin.createSystemAccount(options.email, password);
  } catch (error) {
    if (error instanceof AccountError || error instanceof DomainError)
      throw new Error(error.message);
    throw error;
  } finally {
    await store.close();
    await sequelize.close();
  }
}

export function registerAdmin(program: Command): void {
  const admin = program.command('admin').description('учётные записи администраторов');
  admin
    .command('create')
    .description('создать системную учётную запись (первого администратора)')
    .requiredOption('--email <email>', 'email')
    .option('--password <password>', 'пароль (или переменная EVOSYNC_ADMIN_PASSWORD)')
    .action(async (opts: { email: string; password?: string }) => {
      const id = await adminCreate(opts);
      process.stdout.write(`Системная учётная запись создана: ${opts.email} (${id})\n`);
    });
}
