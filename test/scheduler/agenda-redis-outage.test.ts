import { afterAll, describe, expect, it, vi } from 'vitest';
import { capturedLogger } from '../support/captured-logger.js';
import { AgendaScheduler } from '../../src/infrastructure/scheduler/agenda-scheduler.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { dropNamespace, uniqueNamespace, waitFor } from './redis-namespace.js';

/**
 * Redis going away under a running scheduler (through a proxy that can be cut): the client
 * reconnects by itself; the operator gets one log line for the outage and one for the
 * recovery, not a stack trace on stderr for every reconnection attempt.
 */
const namespace = uniqueNamespace('agenda-outage');
type Line = { level: string; msg: string };
const captured = capturedLogger('info');
const { logger } = captured;
let proxy: TcpProxy | undefined;
let scheduler: AgendaScheduler | undefined;

afterAll(async () => {
  await proxy?.open().catch(() => undefined);
  await scheduler?.stop({ drainTimeoutMs: 1_000 });
  await proxy?.close();
  await dropNamespace(namespace);
});

describe('Redis lost while the scheduler runs', () => {
  it('is logged once when lost and once when back, with nothing on stderr', async () => {
    proxy = await TcpProxy.start({ host: '127.0.0.1', port: 6379 });
    scheduler = new AgendaScheduler({
      url: `redis://127.0.0.1:${proxy.port}/0`,
      logger,
      namespace,
      processEveryMs: 100,
    });
    scheduler.define('noop', async () => {});
    await scheduler.start();
    const stderr = vi.spyOn(console, 'error');
    try {
      await proxy.cut();
      const lost = (l: { msg: string }) => l.msg.includes('lost the connection');
      await waitFor(() => captured.records<Line>().some(lost), 'the outage to be logged');
      // Several reconnection attempts fail meanwhile (ioredis retries within a second or two).
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await proxy.open();
      const back = (l: { msg: string }) => l.msg.includes('connected to Redis');
      await waitFor(() => captured.records<Line>().some(back), 'the recovery to be logged');
      expect(captured.records<Line>().filter(lost)).toHaveLength(1);
      expect(captured.records<Line>().find(lost)).toMatchObject({ level: 'error' });
      expect(captured.records<Line>().find(lost)?.msg).toContain(
        `AGENDA_URL: lost the connection to Redis at 127.0.0.1:${proxy.port}`,
      );
      expect(captured.records<Line>().filter(back)).toHaveLength(1);
      expect(stderr).not.toHaveBeenCalled();
      // And it works again.
      expect((await scheduler.health()).ok).toBe(true);
    } finally {
      stderr.mockRestore();
    }
  }, 60_000);
});
