import { ConfigError, loadConfig, type Config } from '../infrastructure/config/config.js';
import { createLogger, type Logger } from '../infrastructure/logging/logger.js';

export type Stop = () => Promise<void>;

/**
 * Runs one process (web, worker, demo): validated configuration, one clear message and a
 * non-zero exit when it cannot start, graceful stop on SIGINT/SIGTERM.
 */
export async function runProcess(
  name: string,
  start: (config: Config, logger: Logger) => Promise<Stop>,
): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`evosync ${name}: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger({ level: config.LOG_LEVEL, name: `evosync-${name}` });
  handleStrayErrors(name, logger);
  let stop: Stop;
  try {
    stop = await start(config, logger);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    logger.fatal({ err: error }, `${name} could not start`);
    process.stderr.write(`evosync ${name}: could not start: ${message}\n`);
    process.exit(1);
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, `${name} stopping`);
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    stop()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, `${name} did not stop cleanly`);
        process.exit(1);
      });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

/**
 * The last line of defence, for errors no code path caught. A stray rejection (a promise
 * nobody awaited, say a lock renewal) is logged with its stack and the process keeps running:
 * the job it belonged to has its own error handling, and the other shops' work goes on. An
 * uncaught exception leaves the process in an unknown state: it is logged, then the process
 * exits with 1 so the supervisor (systemd, Docker) restarts it; jobs it held are taken over
 * once their short locks expire.
 */
export function handleStrayErrors(name: string, logger: Logger): void {
  process.on('unhandledRejection', (reason) => {
    logger.error(
      { err: reason, stray: 'unhandledRejection' },
      `${name}: a rejected promise nobody handled (the process keeps running)`,
    );
  });
  process.on('uncaughtException', (error, origin) => {
    logger.fatal({ err: error, stray: origin }, `${name}: uncaught exception, exiting`);
    process.stderr.write(`evosync ${name}: uncaught exception, exiting: ${error.message}\n`);
    process.exit(1);
  });
}
