import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Each test file gets its own MariaDB database and Redis prefix, so files may run in parallel.
    fileParallelism: true,
    // Vitest's default is one fork per core minus one: a single fork on a 2-core CI machine, so
    // the files ran one after another while most of them wait on MariaDB, Redis, simulators and
    // VK's 3 requests/s. Three forks overlap the waiting (the suite went from ~620 s to ~250 s);
    // the tests are written to pass on a busy machine. `--maxWorkers=N` still overrides it.
    maxWorkers: 3,
    minWorkers: 1,
  },
});
