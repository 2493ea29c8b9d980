/**
 * Run by demo-progress-terminal.test.ts inside a pseudo-terminal (util-linux `script`): the
 * demo's progress reporter on a real TTY, fed a push of 3 997 items in steps a few hundred
 * milliseconds apart (cli-progress redraws at most 10 times a second), with a line printed
 * by another process in the middle, as the demo relays the worker's warnings.
 */
import { progressReporter } from '../../src/main/demo-progress.js';
import type { Activity, PushProgress } from '../../src/web/sync/activity.js';
import { DEMO_PUSH_TOTAL, demoActivity } from './demo-activity.js';

const TOTAL = DEMO_PUSH_TOTAL;
const STEPS = 8;
const start = Date.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const activity = (push: Partial<PushProgress> | null, phase: Activity['phase']) =>
  demoActivity(push, phase, start);

const reporter = progressReporter({
  tty: process.stdout.isTTY === true,
  say: (line) => void process.stdout.write(`${line}\n`),
  done: () => 'Готово: в VK 3 997 товаров. Откройте http://127.0.0.1:8080/sync',
});

reporter.update(activity(null, 'fetching'));
for (let step = 0; step <= STEPS; step++) {
  const done = Math.floor((TOTAL * step) / STEPS);
  const secondsLeft = step === 0 ? null : (STEPS - step) * 40;
  reporter.update(
    activity({ done, percent: Math.floor((done / TOTAL) * 100), secondsLeft }, 'pushing'),
  );
  if (step === STEPS / 2) reporter.print('[worker] предупреждение посреди выгрузки');
  await sleep(250);
}
const finished = { done: TOTAL, percent: 100, running: false, finishedAt: new Date() };
const end = Date.now();
reporter.update(activity(finished, 'idle'), end);
reporter.update(activity(finished, 'idle'), end + 10_000);
reporter.update(activity(finished, 'idle'), end + 20_000);
reporter.stop();
