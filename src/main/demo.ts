/**
 * `npm run demo` (see demo-run.ts). This entry only says so at once and then loads the demo:
 * compiling its modules takes many seconds on a busy machine, and the demo must not be silent
 * meanwhile.
 */
process.stdout.write('EvoSync — демонстрация: загружаю модули…\n');
await import('./demo-run.js');
