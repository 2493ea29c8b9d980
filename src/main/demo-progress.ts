/**
 * The demo's progress report, read from the same read model as /sync (sync-progress, through
 * loadActivity): on a terminal one updating bar (cli-progress), elsewhere a line only when the
 * count changed and at most every 10 s; «готово» once the sync settles, then silence until the
 * next push.
 */
import cliProgress from 'cli-progress';
import type { Activity } from '../web/sync/activity.js';
import { count, leftText } from '../web/sync/activity.js';

const QUIET_LINE_MS = 10_000;
/** idle this long after a push: the follow-up pushes (adoptions) are over */
const SETTLED_MS = 8_000;

export interface ProgressReporter {
  update(activity: Activity, now?: number): void;
  stop(): void;
}

export function progressReporter(options: {
  tty: boolean;
  say: (line: string) => void;
  done: () => string;
}): ProgressReporter {
  const { say } = options;
  let bar: cliProgress.SingleBar | null = null;
  let shownPush: string | null = null;
  let lastLine = { at: 0, done: -1 };
  let idleSince: number | null = null;
  let announcedFor: string | null = null;
  let phase: Activity['phase'] | null = null;

  const stopBar = () => {
    bar?.stop();
    bar = null;
  };

  return {
    update(activity, now = Date.now()) {
      const push = activity.push;
      // Said before the first push only: later fetches follow every push and say nothing new.
      if (activity.phase !== phase && activity.phase === 'fetching' && shownPush === null)
        say('Загружаю каталоги Эвотор и VK…');
      phase = activity.phase;
      if (push?.running) {
        idleSince = null;
        if (shownPush !== push.pushId) {
          stopBar();
          shownPush = push.pushId;
          lastLine = { at: 0, done: -1 };
          say(`Выгрузка в VK: ${count(push.total)} операций по плану.`);
          if (options.tty) {
            bar = new cliProgress.SingleBar({
              format:
                'Выгрузка в VK [{bar}] {percentage}% | {value} из {total} | осталось {eta_formatted}',
              hideCursor: false,
              clearOnComplete: false,
            });
            bar.start(push.total, push.done);
          }
        }
        if (bar) bar.update(push.done);
        else if (push.done !== lastLine.done && now - lastLine.at >= QUIET_LINE_MS) {
          lastLine = { at: now, done: push.done };
          const left = leftText(push.secondsLeft);
          say(
            `Выгрузка в VK: ${count(push.done)} из ${count(push.total)} (${push.percent} %)${left ? `, ${left}` : ''}`,
          );
        }
        return;
      }
      if (push && shownPush === push.pushId && push.finishedAt) {
        if (bar) {
          bar.update(push.done);
          stopBar();
        }
        if (lastLine.done !== push.done && !options.tty)
          say(`Выгрузка в VK: ${count(push.done)} из ${count(push.total)} (${push.percent} %)`);
        lastLine.done = push.done;
      }
      if (!push?.finishedAt || activity.phase !== 'idle') {
        idleSince = null;
        return;
      }
      idleSince ??= now;
      if (announcedFor !== push.pushId && now - idleSince >= SETTLED_MS) {
        announcedFor = push.pushId;
        say(options.done());
      }
    },
    stop: stopBar,
  };
}
