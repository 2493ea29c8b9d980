import { describe, expect, it } from 'vitest';
import { progressReporter } from '../../src/main/demo-progress.js';
import type { Activity, PushProgress } from '../../src/web/sync/activity.js';
import { demoActivity } from './demo-activity.js';

const T0 = Date.parse('2026-11-28T10:00:00Z');

const activity = (push: Partial<PushProgress> | null, phase: Activity['phase']) =>
  demoActivity(push, phase, T0);

describe('the demo’s progress off a terminal', () => {
  it('prints a line only when the count changed, at most every 10 s, and «Готово» once', () => {
    const lines: string[] = [];
    const r = progressReporter({ tty: false, say: (l) => lines.push(l), done: () => 'Готово.' });
    r.update(activity(null, 'fetching'), T0);
    r.update(activity({ done: 0 }, 'pushing'), T0 + 1_000);
    r.update(activity({ done: 250, percent: 6, secondsLeft: 300 }, 'pushing'), T0 + 2_000);
    r.update(activity({ done: 1500, percent: 37, secondsLeft: 90 }, 'pushing'), T0 + 11_000);
    r.update(activity({ done: 1500, percent: 37, secondsLeft: 90 }, 'pushing'), T0 + 25_000);
    const finished = {
      done: 3997,
      percent: 100,
      running: false,
      finishedAt: new Date(T0 + 30_000),
    };
    r.update(activity(finished, 'idle'), T0 + 30_000);
    r.update(activity(finished, 'idle'), T0 + 39_000);
    r.update(activity(finished, 'idle'), T0 + 60_000);
    expect(lines).toEqual([
      'Загружаю каталоги Эвотор и VK…',
      'Выгрузка в VK: 3\u00a0997 операций по плану.',
      'Выгрузка в VK: 0 из 3\u00a0997 (0 %)',
      'Выгрузка в VK: 1\u00a0500 из 3\u00a0997 (37 %), осталось около 2 мин',
      'Выгрузка в VK: 3\u00a0997 из 3\u00a0997 (100 %)',
      'Готово.',
    ]);
  });
});
