/**
 * The demo's progress report, read from the same read model as /sync (sync-progress, through
 * loadActivity): on a terminal one updating bar (cli-progress), elsewhere a line only when the
 * count changed and at most every 10 s; «готово» once the sync settles, then silence until the
 * next push. The bar says what /sync says, in Russian: the count with thousands separators, the
 * percentage and the time left from the push's own rate (not cli-progress's English ETA).
 * Other lines printed while the bar runs (`print`) take the bar's place, and the bar goes on
 * below them; when the push ends the bar gives way to a plain line with the final count.
 */
import cliProgress from 'cli-progress';
import type { Activity, PushProgress } from '../web/sync/activity.js';
import { count, leftText } from '../web/sync/activity.js';

const QUIET_LINE_MS = 10_000;
/** idle this long after a push: the follow-up pushes (adoptions) are over */
const SETTLED_MS = 8_000;

export interface ProgressReporter {
  update(activity: Activity, now?: number): void;
  /** a line of its own, also while the bar is shown */
  print(line: string): void;
  stop(): void;
}

/** Short enough for an 80-column terminal: «Выгрузка [====…] 37 % | 1 500 из 3 997 | осталось около 2 мин». */
const BAR_FORMAT = 'Выгрузка [{bar}] {percent} % | {done} из {all} | {left}';

const barValues = (push: PushProgress) => ({
  percent: push.percent,
  done: count(push.done),
  all: count(push.total),
  left:
    push.done >= push.total
      ? 'завершаю…'
      : (leftText(push.secondsLeft) ?? 'оцениваю, сколько осталось…'),
});

const summary = (push: PushProgress) =>
  `Выгрузка в VK: ${count(push.done)} из ${count(push.total)} (${push.percent} %)`;

export function progressReporter(options: {
  tty: boolean;
  say: (line: string) => void;
  done: () => string;
  /** where the bar is drawn (the terminal `say` writes to); process.stdout by default */
  stream?: NodeJS.WritableStream;
}): ProgressReporter {
  const { say } = options;
  let bar: cliProgress.SingleBar | null = null;
  let barPush: PushProgress | null = null;
  let shownPush: string | null = null;
  let lastLine = { at: 0, done: -1 };
  let idleSince: number | null = null;
  let announcedFor: string | null = null;
  let phase: Activity['phase'] | null = null;

  const startBar = (push: PushProgress) => {
    bar = new cliProgress.SingleBar({
      format: BAR_FORMAT,
      barsize: 20,
      stream: options.stream ?? process.stdout,
      hideCursor: false,
      // stop() clears the bar's line: a printed line or the final count takes its place
      clearOnComplete: true,
      // Ctrl-C mid-push gives the terminal its line wrapping back
      gracefulExit: true,
    });
    barPush = push;
    bar.start(push.total, push.done, barValues(push));
  };
  const stopBar = () => {
    bar?.stop();
    bar = null;
    barPush = null;
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
          if (options.tty) startBar(push);
        }
        if (bar) {
          barPush = push;
          bar.update(push.done, barValues(push));
        } else if (push.done !== lastLine.done && now - lastLine.at >= QUIET_LINE_MS) {
          lastLine = { at: now, done: push.done };
          const left = leftText(push.secondsLeft);
          say(`${summary(push)}${left ? `, ${left}` : ''}`);
        }
        return;
      }
      if (push && shownPush === push.pushId && push.finishedAt) {
        if (bar) {
          bar.update(push.done, barValues(push));
          stopBar();
        }
        if (lastLine.done !== push.done) say(summary(push));
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
    print(line) {
      const shown = barPush;
      if (!bar || !shown) return say(line);
      stopBar();
      say(line);
      startBar(shown);
    },
    stop: stopBar,
  };
}
