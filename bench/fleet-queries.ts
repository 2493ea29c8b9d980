/**
 * SQL statements this process sends to MariaDB, counted by kind, and Redis commands by name, for `npm run bench:fleet`'s
 * "per product" figures. Every statement of Sequelize, the event store and the projections goes
 * through mysql2's connection `query` or `execute` (the promise API wraps the same connection),
 * so counting there sees them all, and only this process's (MariaDB's global status counters
 * would add every other program's statements on a shared server).
 */
import { createRequire } from 'node:module';

type QueryFn = (this: unknown, sql: unknown, ...rest: unknown[]) => unknown;
interface ConnectionPrototype {
  query: QueryFn;
  execute: QueryFn;
}

const require = createRequire(import.meta.url);

/**
 * How much of a statement names its kind: the verb, the table and the first condition come
 * well before this. A multi-row INSERT runs to megabytes, and splitting all of it into words
 * made the count a visible part of the worker CPU the bench reports.
 */
const HEAD_CHARS = 1000;

/** The statement's kind: its first words, literals and names of tables left as they are. */
function kindOf(sql: unknown): string {
  const whole =
    typeof sql === 'string' ? sql : String((sql as { sql?: unknown } | null)?.sql ?? '?');
  const text = whole.slice(0, HEAD_CHARS);
  const words = text.trim().replace(/\s+/g, ' ').split(' ');
  const verb = (words[0] ?? '?').toUpperCase();
  if (verb === 'SELECT' && /^GET_LOCK|^RELEASE_LOCK|^IS_FREE_LOCK/i.test(words[1] ?? '')) {
    return `SELECT ${words[1]!.replace(/\(.*/, '')}`;
  }
  const table = /\b(?:FROM|INTO|UPDATE|TABLE)\s+`?(\w+)/i.exec(text)?.[1];
  if (!table) return verb;
  // Which reads: the columns of the first condition (literals left out).
  const where = /\bWHERE\s+([\w.` ]+?)\s*(?:[=<>!]|\bIN\b|\bLIKE\b|\bIS\b)/i.exec(text)?.[1];
  return where && verb !== 'INSERT'
    ? `${verb} ${table}[${where.replace(/`/g, '')}]`
    : `${verb} ${table}`;
}

export interface StatementCount {
  statements: number;
  /** the statements' text as sent, values included (UTF-16 code units) */
  chars: number;
}

/** Starts counting; `take()` returns the counts since the last take (or the start). */
export function countStatements(): { take(): Map<string, StatementCount> } {
  const { Connection } = require('mysql2') as { Connection: { prototype: ConnectionPrototype } };
  const proto = Object.getPrototypeOf(Connection.prototype) as ConnectionPrototype;
  let counts = new Map<string, StatementCount>();
  for (const method of ['query', 'execute'] as const) {
    const original = proto[method];
    proto[method] = function (this: unknown, sql: unknown, ...rest: unknown[]) {
      const command = original.call(this, sql, ...rest) as { sql?: unknown } | undefined;
      const kind = kindOf(sql);
      const count = counts.get(kind) ?? { statements: 0, chars: 0 };
      count.statements++;
      if (typeof command?.sql === 'string') count.chars += command.sql.length;
      counts.set(kind, count);
      return command;
    };
  }
  return {
    take() {
      const taken = counts;
      counts = new Map();
      return taken;
    },
  };
}

/** Starts counting Redis commands (ioredis: Agenda's backend, the VK rate limiters). */
export function countRedisCommands(): { take(): Map<string, number> } {
  const { Redis } = require('ioredis') as {
    Redis: { prototype: { sendCommand(this: unknown, command: { name: string }): unknown } };
  };
  const original = Redis.prototype.sendCommand;
  let counts = new Map<string, number>();
  Redis.prototype.sendCommand = function (this: unknown, command: { name: string }) {
    counts.set(command.name, (counts.get(command.name) ?? 0) + 1);
    return original.call(this, command);
  };
  return {
    take() {
      const taken = counts;
      counts = new Map();
      return taken;
    },
  };
}
