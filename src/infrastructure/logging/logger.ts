import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Paths that may carry secrets or personal data. Pino replaces them before a line is written,
 * so a token can never reach the logs, whatever a call site passes in.
 */
export const REDACTED_PATHS = [
  'password',
  'passwordHash',
  'token',
  'accessToken',
  'access_token',
  'apiToken',
  'secret',
  'authorization',
  'cookie',
  '*.password',
  '*.passwordHash',
  '*.token',
  '*.accessToken',
  '*.access_token',
  '*.apiToken',
  '*.secret',
  '*.authorization',
  '*.Authorization',
  '*["x-authorization"]',
  '*.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-authorization"]',
  'config.headers.Authorization',
];

export function createLogger(
  options: { level?: string; name?: string; destination?: pino.DestinationStream } = {},
): Logger {
  return pino(
    {
      name: options.name ?? 'evosync',
      level: options.level ?? 'info',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination,
  );
}
