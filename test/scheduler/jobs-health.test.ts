import { describe, expect, it } from 'vitest';
import { jobsHealthCheck } from '../../src/infrastructure/scheduler/jobs-health.js';
import { MemoryScheduler } from '../support/memory-scheduler.js';

describe('failing jobs on /health', () => {
  it('counts failed jobs per kind, turns not-ok only when one has no retry left, and names no user or error', async () => {
    let now = new Date('2026-11-28T10:00:00Z');
    const scheduler = new MemoryScheduler({ now: () => now });
    const check = jobsHealthCheck(scheduler);
    scheduler.define(
      'vk-push',
      async () => {
        throw new Error('VK answered 500 for secret-user-42');
      },
      { retries: { maxRetries: 1, delayMs: 60_000, factor: 1 } },
    );
    scheduler.define('evotor-fetch', async () => undefined);

    expect(await check.check()).toEqual({ ok: true, failed: 0, exhausted: 0, byKind: {} });

    await scheduler.enqueue('vk-push', { userId: 'secret-user-42' });
    await scheduler.enqueue('evotor-fetch', { userId: 'u-2' });
    await scheduler.runPending();
    const retrying = await check.check();
    expect(retrying).toMatchObject({
      ok: true,
      failed: 1,
      exhausted: 0,
      byKind: { 'vk-push': { failed: 1, exhausted: 0 } },
    });
    expect(retrying.whatToDo).toContain('повторятся сами');

    now = new Date(now.getTime() + 61_000);
    await scheduler.runPending();
    const exhausted = await check.check();
    expect(exhausted).toMatchObject({
      ok: false,
      failed: 1,
      exhausted: 1,
      byKind: { 'vk-push': { failed: 1, exhausted: 1 } },
    });
    expect(exhausted.whatToDo).toContain('/admin/jobs?state=failed');
    expect(JSON.stringify(exhausted)).not.toMatch(/secret-user-42|VK answered/);
    expect(check.required).toBe(false);
  });
});
