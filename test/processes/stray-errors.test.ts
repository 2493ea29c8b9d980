import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { until } from '../support/wait.js';

/**
 * The process-level handlers of web and worker (src/main/process.ts), in a real child process:
 * a stray rejection is logged and the process keeps running; an uncaught exception is logged
 * and the process exits with 1.
 */
function run(mode: 'rejection' | 'exception') {
  const { BASE_URL: _vite, ...inherited } = process.env;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/processes/fixtures/stray-errors.ts', mode],
    {
      env: { ...inherited, LOG_LEVEL: 'info', NODE_ENV: 'test' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const logLines = () =>
    stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { child, exited, logLines, stderr: () => stderr };
}

describe('errors nothing caught, in a web or worker process', () => {
  it('logs a stray rejection with its error and keeps running', async () => {
    const p = run('rejection');
    // A child process starting under tsx on a busy machine: a longer wait than the default.
    await until(
      'the process to log after the rejection',
      () => p.logLines().some((l) => l.msg === 'still running after the stray rejection'),
      30_000,
    );
    const logged = p.logLines().find((l) => l.stray === 'unhandledRejection');
    expect(logged).toMatchObject({ level: 'error', name: 'evosync-stray-test' });
    expect(JSON.stringify(logged?.err)).toContain('a stray rejection from the test');
    expect(p.child.exitCode).toBeNull();
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  }, 60_000);

  it('logs an uncaught exception and exits with 1', async () => {
    const p = run('exception');
    expect(await p.exited).toBe(1);
    const logged = p.logLines().find((l) => l.level === 'fatal');
    expect(JSON.stringify(logged?.err)).toContain('a stray exception from the test');
    expect(p.stderr()).toContain('uncaught exception, exiting: a stray exception from the test');
  }, 60_000);
});
