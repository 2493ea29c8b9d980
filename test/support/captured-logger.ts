import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/infrastructure/logging/logger.js';

/**
 * A logger whose JSON lines a test can read: `lines` as written (one entry per line; empty it
 * with `lines.length = 0`), `records()` parsed.
 */
export function capturedLogger(level: string): {
  logger: Logger;
  lines: string[];
  records<T = Record<string, unknown>>(): T[];
} {
  const lines: string[] = [];
  const logger = createLogger({
    level,
    destination: new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(line);
        done();
      },
    }),
  });
  return { logger, lines, records: <T>() => lines.map((line) => JSON.parse(line) as T) };
}
