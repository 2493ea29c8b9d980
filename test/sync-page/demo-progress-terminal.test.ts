import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { terminalScreen } from './terminal-screen.js';

/**
 * The demo's progress bar on a real pseudo-terminal: util-linux `script` gives the reporter a
 * TTY (demo-progress-tty.ts), and what it wrote is played on a small terminal emulator.
 */
function runOnPseudoTerminal(script: string): Promise<string> {
  const command = `${process.execPath} --import tsx ${script}`;
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`script exited ${code}: ${err}${out}`)),
    );
  });
}

const BAR = 'Выгрузка [';
const ERASE_RIGHT = '\x1b[0K';
/** What was written up to the end of the bar's draw after `from` (its erase to the right). */
const upToDrawAfter = (raw: string, from: number) =>
  raw.slice(0, raw.indexOf(ERASE_RIGHT, from) + ERASE_RIGHT.length);

describe('the demo’s progress on a terminal', () => {
  it('is one updating line in Russian, with the count, percentage and time left', async () => {
    const raw = await runOnPseudoTerminal('test/sync-page/demo-progress-tty.ts');
    // The bar was redrawn many times …
    const draws = raw.split(BAR).length - 1;
    expect(draws).toBeGreaterThanOrEqual(8);
    // … always on the same line: the screen just before the bar's last draw was cleared.
    const during = terminalScreen(upToDrawAfter(raw, raw.lastIndexOf(BAR))).filter((l) => l !== '');
    expect(during).toEqual([
      'Загружаю каталоги Эвотор и VK…',
      'Выгрузка в VK: 3\u00a0997 операций по плану.',
      '[worker] предупреждение посреди выгрузки',
      'Выгрузка [====================] 100 % | 3\u00a0997 из 3\u00a0997 | завершаю…',
    ]);
    // Midway the bar said how much was left, in the push's own estimate.
    const midway = terminalScreen(upToDrawAfter(raw, raw.indexOf('37 %')));
    expect(midway.filter((l) => l.startsWith(BAR))).toEqual([
      'Выгрузка [=======-------------] 37 % | 1\u00a0498 из 3\u00a0997 | осталось около 3 мин',
    ]);
    // At the end the bar gives way to the final count, and «Готово» comes once.
    expect(terminalScreen(raw).filter((l) => l !== '')).toEqual([
      'Загружаю каталоги Эвотор и VK…',
      'Выгрузка в VK: 3\u00a0997 операций по плану.',
      '[worker] предупреждение посреди выгрузки',
      'Выгрузка в VK: 3\u00a0997 из 3\u00a0997 (100 %)',
      'Готово: в VK 3 997 товаров. Откройте http://127.0.0.1:8080/sync',
    ]);
  });
});
