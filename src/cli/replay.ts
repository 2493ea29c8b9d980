import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import type { Sequelize } from 'sequelize';
import { projections } from '../../projections/index.js';
import { usersProjection } from '../../projections/users/index.js';
import { AesGcmCipher } from '../infrastructure/crypto/aes-gcm-cipher.js';
import { SequelizeKeyStore } from '../infrastructure/crypto/key-store.js';
import type { EventStore } from '../application/ports/event-store.js';
import type { Projection } from '../application/projections/projection.js';
import { loadConfig } from '../infrastructure/config/config.js';
import { createSequelize, ensureDatabase } from '../infrastructure/db/database.js';
import { migrate } from '../infrastructure/db/migrate.js';
import { createEventStore } from '../infrastructure/eventstore/create-event-store.js';
import { createLogger } from '../infrastructure/logging/logger.js';
import {
  REPLAY_PAGE_SIZE,
  replayProjection,
  type ReplayResult,
} from '../infrastructure/projections/replay.js';

export interface ReplayCliOptions {
  fromScratch?: boolean;
  pageSize?: number;
  progress?: boolean;
  signal?: AbortSignal;
}

/**
 * One projection's replay with a progress bar on stderr: events passed, events/s, ETA. The
 * total is the store's head position when the replay starts (an event count on MariaDB).
 */
export async function replayWithProgress(
  sequelize: Sequelize,
  store: EventStore,
  projection: Projection,
  options: ReplayCliOptions = {},
): Promise<ReplayResult> {
  const bar = new SingleBar({
    format: `${projection.name.padEnd(18)} [{bar}] {percentage}% | {value}/{total} events | {speed} ev/s | ETA {eta_formatted}`,
    barsize: 30,
    hideCursor: true,
    etaBuffer: 50,
    noTTYOutput: true,
    notTTYSchedule: 5000,
  });
  const started = Date.now();
  let from = 0;
  const show = options.progress ?? true;
  try {
    return await replayProjection({
      sequelize,
      store,
      projection,
      pageSize: options.pageSize,
      fromScratch: options.fromScratch,
      signal: options.signal,
      onWaiting: () =>
        process.stderr.write(`${projection.name}: waiting for the worker to let go of it…\n`),
      onStart: (p) => {
        from = p.done;
        if (p.resumed) process.stderr.write(`${projection.name}: resuming at position ${p.done}\n`);
        if (show) bar.start(p.total, p.done, { speed: 0 });
      },
      onProgress: (p) => {
        const seconds = (Date.now() - started) / 1000;
        bar.setTotal(p.total);
        bar.update(p.done, { speed: Math.round((p.done - from) / Math.max(seconds, 0.001)) });
      },
    });
  } finally {
    if (show) bar.stop();
  }
}

export async function runReplay(names: string[], options: ReplayCliOptions): Promise<number> {
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL });
  await ensureDatabase(config.DATABASE_URL);
  const sequelize = createSequelize(config.DATABASE_URL, { logger });
  // The users read model decrypts personal data, so it is built with the cipher.
  const all = [
    ...projections,
    usersProjection(new AesGcmCipher(new SequelizeKeyStore(sequelize), config.SECRET_KEY)),
  ];
  const selected = names.length === 0 ? all : names.map((n) => all.find((p) => p.name === n));
  const unknown = names.filter((_, i) => !selected[i]);
  if (unknown.length > 0) {
    process.stderr.write(
      `Unknown projection(s): ${unknown.join(', ')}. Known: ${all.map((p) => p.name).join(', ')}\n`,
    );
    await sequelize.close();
    return 2;
  }
  const store = await createEventStore(config.EVENTSTORE_URL, logger);
  try {
    await migrate(sequelize, logger);
    for (const projection of selected as Projection[]) {
      const result = await replayWithProgress(sequelize, store, projection, options);
      if (!result.completed) {
        process.stderr.write(
          `${projection.name}: interrupted; it stays marked "rebuilding" and the next replay resumes it\n`,
        );
        return 130;
      }
      process.stdout.write(
        `${projection.name}: ${result.handled} events in ${result.seconds.toFixed(1)} s${result.resumed ? ' (resumed)' : ''}\n`,
      );
    }
    return 0;
  } finally {
    await store.close();
    await sequelize.close();
  }
}

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('rebuild read models from the first event (all of them when none is named)')
    .argument(
      '[projection...]',
      `any of: ${[...projections.map((p) => p.name), 'users'].join(', ')}`,
    )
    .option('--from-scratch', 'restart an interrupted rebuild instead of resuming it')
    .option(
      '--page-size <events>',
      'events per page and transaction',
      (v) => Number(v),
      REPLAY_PAGE_SIZE,
    )
    .action(async (names: string[], opts: { fromScratch?: boolean; pageSize: number }) => {
      // First Ctrl-C: finish the current batch and stop; the second one exits at once.
      const abort = new AbortController();
      process.on('SIGINT', () => {
        if (abort.signal.aborted) process.exit(130);
        abort.abort();
      });
      process.exitCode = await runReplay(names, { ...opts, signal: abort.signal });
    });
}
