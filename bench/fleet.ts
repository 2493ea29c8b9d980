/**
 * `npm run bench:fleet`: a fleet of shops on ONE worker (the real worker runtime: projections,
 * mirror saga, Agenda on Redis) against one Evotor and one VK simulator, every shop with its own
 * VK user token at VK's pace (3 requests/s). Each sync starts the way production starts it: the
 * Evotor token's arrival (the saga fetches, the push follows).
 *
 * 1. Baseline: BENCH_SOLO shops (2) synced one at a time, alone on the worker:
 *    `slowest_shop_s` is the slowest of them.
 * 2. First round: the first sync of BENCH_SHOPS shops (50 × 500 products) at once:
 *    `first_round_s` (target: within 2 × `slowest_shop_s`).
 * 3. Change round: 1 % of every fleet shop's products get a new price in Evotor, then one
 *    pipeline run: `change_round_s` (target: ≤ 60 s).
 *
 * For the first round it also prints when the shops' catalogs were read from Evotor and when
 * each shop's first item left for VK (first, last and median): the fetch phase's end, and how
 * soon each push followed its own catalog.
 *
 * `vk_errors` counts the failed VK calls recorded for owners to see (`VkCommandFailed`); VK's
 * rate refusals the client retried quietly are printed on their own line. SYNC_JOB_CONCURRENCY
 * defaults to one job per shop, as a deployment serving that many shops would set it.
 *
 * The simulators run in a process of their own (bench/fleet-simulators.ts): Evotor and VK are
 * other machines, and in this process they would take the worker's one thread. The CPU time
 * this process (the worker) spent in each phase is printed too: on a shared machine it tells
 * the worker's own cost apart from the waiting that other programs' load causes, and with
 * MariaDB's and Redis's (read from /proc when they run on this machine) it is the machine's
 * whole CPU budget of the phase.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import type { ApiRequestLog } from '../src/application/ports/api-request-log.js';
import { SYNC_JOBS } from '../src/application/sync/sync-jobs.js';
import { loadConfig } from '../src/infrastructure/config/config.js';
import { dropDatabase, recreateDatabase } from '../src/infrastructure/db/database.js';
import { createLogger } from '../src/infrastructure/logging/logger.js';
import { buildContainer } from '../src/main/container.js';
import { lockName } from '../src/infrastructure/projections/checkpoints.js';
import { NamedLocks } from '../src/infrastructure/projections/named-lock.js';
import { startWorker } from '../src/main/worker-runtime.js';
import { dropDeadNamespaces, dropNamespace } from '../test/scheduler/redis-namespace.js';
import { startFleetSimulators } from './fleet-simulators.js';
import { countRedisCommands, countStatements } from './fleet-queries.js';
import {
  enableAndConfirmSync,
  connectVk,
  receiveEvotorToken,
  registerShopOwner,
} from '../test/support/shop-owner.js';

const SHOPS = Number(process.env.BENCH_SHOPS ?? 50);
const SOLO = Number(process.env.BENCH_SOLO ?? 2);
const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 500);
const CONCURRENCY = Number(process.env.SYNC_JOB_CONCURRENCY ?? SHOPS);
const CHANGED_PER_SHOP = Math.max(1, Math.round(PRODUCTS / 100));
const DB_URL = 'mysql://root@127.0.0.1:3306/evosync_bench_fleet';
const NAMESPACE = `evosync-bench-fleet-${process.pid}`;
const say = (line: string) => process.stdout.write(`${line}\n`);
/** BENCH_PROFILE=<file>: a CPU profile of the worker in the first round (Chrome DevTools format) */
const PROFILE = process.env.BENCH_PROFILE;
/** BENCH_HEAP_PROFILE=<file>: the bytes the worker allocated in the first round, by stack */
const HEAP_PROFILE = process.env.BENCH_HEAP_PROFILE;
const fingerprint = (token: string) => createHash('sha256').update(token).digest('hex');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

await recreateDatabase(DB_URL);
const stale = await dropDeadNamespaces('evosync-bench-fleet-');
if (stale.length > 0)
  say(`dropped the Redis keys of ${stale.length} killed runs: ${stale.join(', ')}`);
const statements = countStatements();
const redisCommands = countRedisCommands();
const sims = await startFleetSimulators();

const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', name: 'bench-fleet' });
const config = loadConfig(
  {
    NODE_ENV: 'test',
    DATABASE_URL: DB_URL,
    EVENTSTORE_URL: DB_URL,
    AGENDA_NAMESPACE: NAMESPACE,
    EVOTOR_API_URL: sims.evotorUrl,
    VK_API_URL: sims.vkApiUrl,
    CATALOG_REFRESH_INTERVAL_SECONDS: '86400',
    SYNC_JOB_CONCURRENCY: String(CONCURRENCY),
    ...(process.env.EVOTOR_FETCH_CONCURRENCY && {
      EVOTOR_FETCH_CONCURRENCY: process.env.EVOTOR_FETCH_CONCURRENCY,
    }),
  },
  null,
);
const container = await buildContainer(config, logger, { processName: 'bench-fleet-worker' });
// A worker left running by a killed run would hold this database's projection locks and run
// the mirror saga into its own, dead run's queue: this run's shops would never sync.
const locks = await NamedLocks.open(container.sequelize);
const sagaFree = await locks.isFree(lockName('mirror-saga')).finally(() => locks.close());
if (!sagaFree) {
  throw new Error(
    "another MariaDB connection holds this bench's mirror-saga lock: a worker of an earlier " +
      'run is still alive (see SHOW PROCESSLIST); stop it first',
  );
}

/** Every call the worker makes, per shop owner: the span of each shop's own work. */
const spans = new Map<string, { first: number; last: number }>();
/**
 * Per shop owner (ms since the epoch): when their last Evotor call ended (the catalog read, in
 * a first sync) and when their first `market.add` left: where a round's time went between the
 * fetches and the pushes.
 */
const milestones = new Map<string, { evotorDone: number; firstAdd: number | null }>();
let rateRefusals = 0;
const realLog = container.apiLog;
const countingLog: ApiRequestLog = {
  record(entry) {
    const at = entry.at.getTime();
    if (entry.userId) {
      const span = spans.get(entry.userId);
      if (span) span.last = Math.max(span.last, at + entry.durationMs);
      else spans.set(entry.userId, { first: at, last: at + entry.durationMs });
      const seen = milestones.get(entry.userId) ?? { evotorDone: 0, firstAdd: null };
      if (entry.service === 'evotor')
        seen.evotorDone = Math.max(seen.evotorDone, at + entry.durationMs);
      else if (/market\.add(?![A-Za-z])/.test(entry.method)) seen.firstAdd ??= at;
      milestones.set(entry.userId, seen);
    }
    if (entry.service === 'vk' && (entry.errorCode === '6' || entry.errorCode === '9'))
      rateRefusals++;
    realLog.record(entry);
  },
  flush: () => realLog.flush(),
};
container.apiLog = countingLog;

interface Shop {
  userId: string;
  storeId: string;
  groupId: number;
  /** products for sale in Evotor: the items VK shows once the shop is synced */
  products: number;
  /** the Evotor token's arrival starts the shop's first sync */
  connectEvotor(): Promise<void>;
}

say(
  `setting up ${SHOPS} shops × ${PRODUCTS} products, each with its own VK user token at 3 requests/s; ` +
    `SYNC_JOB_CONCURRENCY=${CONCURRENCY}, EVOTOR_FETCH_CONCURRENCY=${config.EVOTOR_FETCH_CONCURRENCY}`,
);
const shops: Shop[] = [];
for (let i = 0; i < SHOPS + SOLO; i++) {
  const userId = `fleet-${String(i).padStart(3, '0')}`;
  const { commands, cipher } = container;
  await registerShopOwner(commands, cipher, userId, { fingerprint, passwordHash: 'bench' });
  const groupId = 9_000_000 + i;
  const vkToken = `fleet-vk-${i}`;
  const seeded = await sims.call('addShop', {
    index: i,
    products: PRODUCTS,
    vkToken,
    vkUserId: 20_000 + i,
    groupId,
  });
  await connectVk(commands, cipher, userId, {
    token: vkToken,
    groupId,
    fingerprint,
    vkUserId: 20_000 + i,
    vkUserName: 'Владелец',
    groupName: `Магазин ${i}`,
  });
  await enableAndConfirmSync(commands, userId, [seeded.storeId]);
  const connectEvotor = () =>
    receiveEvotorToken(commands, cipher, userId, { token: seeded.evotorToken, fingerprint });
  shops.push({
    userId,
    storeId: seeded.storeId,
    groupId,
    products: seeded.products,
    connectEvotor,
  });
}
const solo = shops.splice(SHOPS, SOLO);

/** Items for sale in VK per community id. */
const itemCounts = async () => new Map(await sims.call('itemCounts', {}));

/** Sync jobs waiting, running or due for a retry. */
async function busyJobs(): Promise<number> {
  let busy = 0;
  const seen: string[] = [];
  for (const name of [SYNC_JOBS.evotorFetch, SYNC_JOBS.vkFetch, SYNC_JOBS.vkPush]) {
    const { jobs } = await container.scheduler.listJobs({ name, limit: 500, skip: 0 });
    const waiting = jobs.filter((j) => j.state !== 'failed' || j.nextRunAt !== null);
    busy += waiting.length;
    if (waiting.length > 0) seen.push(`${name} ${waiting.map((j) => j.state).join(',')}`);
  }
  // What keeps a round open once every item is in VK (printed at most every 5 s).
  if (busy > 0 && performance.now() - busyShownAt > 5_000) {
    busyShownAt = performance.now();
    say(`    jobs still busy: ${seen.join('; ')}`);
  }
  return busy;
}
let busyShownAt = 0;

async function until(what: string, done: () => Promise<boolean>, timeoutMs = 30 * 60_000) {
  const deadline = Date.now() + timeoutMs;
  let quietSince: number | null = null;
  for (;;) {
    // Done twice in a row a second apart: the saga may be about to enqueue the next job.
    if (await done()) {
      quietSince ??= Date.now();
      if (Date.now() - quietSince >= 1_000) return;
    } else quietSince = null;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await sleep(500);
  }
}

const complete = (counts: Map<number, number>, shop: Shop) =>
  (counts.get(shop.groupId) ?? 0) >= shop.products;
const seconds = (since: number) => (performance.now() - since) / 1000;
/**
 * The first round's profile of the worker: BENCH_PROFILE its CPU, or else BENCH_HEAP_PROFILE the
 * bytes it allocated (sampled every 16 kB, garbage included, so it shows what keeps the
 * scavenger busy, not what stays). Both are read by bench/fleet-profile.ts.
 */
async function startProfile(): Promise<{ stop(): Promise<void> }> {
  if (!PROFILE && !HEAP_PROFILE) return { stop: async () => {} };
  const session = new Session();
  session.connect();
  const save = async (file: string, what: string, profile: object) => {
    await writeFile(file, JSON.stringify(profile));
    session.disconnect();
    say(`  ${what} profile of the first round: ${file}`);
  };
  if (PROFILE) {
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    return {
      stop: async () => save(PROFILE, 'CPU', (await session.post('Profiler.stop')).profile),
    };
  }
  await session.post('HeapProfiler.enable');
  // Node's types do not name the two flags yet; V8 has them since version 10.
  const sampling = {
    samplingInterval: 16_384,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  };
  await session.post('HeapProfiler.startSampling', sampling);
  return {
    stop: async () =>
      save(HEAP_PROFILE!, 'allocation', (await session.post('HeapProfiler.stopSampling')).profile),
  };
}

/**
 * Seconds until every projection (read tables and sagas) has handled the store's head as it
 * is now: whether the owners' tables were current when the round ended, or still catching up.
 */
async function readTablesCaughtUp(): Promise<number> {
  const started = performance.now();
  const head = await container.eventStore.headPosition();
  if (head) {
    const reached = await Promise.all(worker.runners.map((r) => r.waitForPosition(head, 600_000)));
    if (reached.includes(false)) throw new Error('timed out: the read tables catching up');
  }
  return seconds(started);
}

/** Jobs run in this process, by name: a round's work besides its items. */
let jobsRun = new Map<string, number>();
container.scheduler.onJobFinished((name) => jobsRun.set(name, (jobsRun.get(name) ?? 0) + 1));

/** Events appended and SQL statements sent since `round()` was called, per product synced. */
async function round() {
  jobsRun = new Map();
  const head = async () => (await container.eventStore.headPosition())?.commit ?? 0;
  const from = await head();
  statements.take();
  redisCommands.take();
  return async (products: number) => {
    const redis = [...redisCommands.take()].sort((a, b) => b[1] - a[1]);
    const redisTotal = redis.reduce((n, [, count]) => n + count, 0);
    const redisTop = redis
      .slice(0, 8)
      .map(([name, count]) => `${name} ${(count / products).toFixed(2)}`)
      .join(', ');
    const events = (await head()) - from;
    const sent = [...statements.take()].sort((a, b) => b[1].statements - a[1].statements);
    const total = sent.reduce((n, [, count]) => n + count.statements, 0);
    const chars = sent.reduce((n, [, count]) => n + count.chars, 0);
    const top = sent
      .slice(0, 10)
      .map(([kind, count]) => `${kind} ${(count.statements / products).toFixed(2)}`)
      .join(', ');
    const heaviest = sent
      .sort((a, b) => b[1].chars - a[1].chars)
      .slice(0, 5)
      .map(([kind, count]) => `${kind} ${(count.chars / products / 1024).toFixed(1)} k`)
      .join(', ');
    return (
      `events appended: ${(events / products).toFixed(2)} per product; SQL statements: ` +
      `${(total / products).toFixed(1)} per product, ${(chars / products / 1024).toFixed(1)} k ` +
      `characters\n    by statements: ${top}\n    by characters: ${heaviest}\n` +
      `  Redis commands: ${(redisTotal / products).toFixed(1)} per product (${redisTop})\n` +
      `  jobs run: ${[...jobsRun].map(([name, n]) => `${name} ${n}`).join(', ')}`
    );
  };
}

/**
 * CPU seconds of a local server process by its name (MariaDB, Redis), from /proc; null where
 * there is no /proc or the server runs elsewhere. With the worker's and the simulators', they
 * are the machine's whole budget for a round: on 2 cores, 2 CPU seconds per second of it.
 */
async function serverCpuSeconds(name: string): Promise<number | null> {
  try {
    let total = 0;
    let found = false;
    for (const pid of await readdir('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
      if (comm.trim() !== name) continue;
      total += await statCpuSeconds(`/proc/${pid}/stat`);
      found = true;
    }
    return found ? total : null;
  } catch {
    return null;
  }
}
/**
 * CPU seconds of this process's main thread (its task id is the process id), null without
 * /proc. The process's own figure adds its other threads (V8's GC helpers, libuv's pool),
 * which run beside the event loop: the one-thread bound of a round is the main thread's.
 */
async function mainThreadCpuSeconds(): Promise<number | null> {
  try {
    return await statCpuSeconds(`/proc/self/task/${process.pid}/stat`);
  } catch {
    return null;
  }
}
/** The CPU seconds a process's or a thread's `stat` file in /proc counts. */
async function statCpuSeconds(path: string): Promise<number> {
  const stat = await readFile(path, 'utf8');
  // utime and stime: fields 14 and 15, counted after the command's closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}
/** Linux's USER_HZ: /proc counts CPU time in ticks of 1/100 s. */
const CLOCK_TICKS = 100;

/**
 * CPU seconds the whole machine was busy (every process and the kernel: /proc/stat's user, nice,
 * system, irq, softirq and steal over all CPUs), null without /proc. Beside the four processes'
 * sum it tells a round bound by the machine (busy nearly all the time) from one that waits.
 */
async function machineBusySeconds(): Promise<number | null> {
  try {
    const [first = ''] = (await readFile('/proc/stat', 'utf8')).split('\n');
    const ticks = first.trim().split(/\s+/).slice(1).map(Number);
    const busy = [0, 1, 2, 5, 6, 7].reduce((n, i) => n + (ticks[i] ?? 0), 0);
    return busy / CLOCK_TICKS;
  } catch {
    return null;
  }
}

const machineShare = (from: number | null, to: number | null, capacity: number) =>
  from === null || to === null
    ? ''
    : `; the machine as a whole was busy ${(to - from).toFixed(1)} s ` +
      `(${Math.round((100 * (to - from)) / capacity)} %)`;

/** CPU seconds the worker (this process), the simulators and the local servers have used */
const cpu = async () => {
  const { user, system } = process.cpuUsage();
  return {
    worker: (user + system) / 1e6,
    workerMain: await mainThreadCpuSeconds(),
    /** page faults cost ~10 µs each on a VM with paravirtualised paging (this one): worth seeing */
    workerPageFaults: process.resourceUsage().minorPageFault,
    simulators: await sims.call('cpuSeconds', {}),
    mariadb: await serverCpuSeconds('mariadbd'),
    redis: await serverCpuSeconds('redis-server'),
    machine: await machineBusySeconds(),
  };
};
type CpuReading = Awaited<ReturnType<typeof cpu>>;
const PROCESSES = ['worker', 'simulators', 'mariadb', 'redis'] as const;
const cpuSince = async (start: CpuReading, wallSeconds?: number, now?: CpuReading) => {
  now ??= await cpu();
  const all = PROCESSES.reduce((n, key) => n + (now[key] ?? 0) - (start[key] ?? 0), 0);
  const cores = availableParallelism();
  const budget =
    wallSeconds === undefined
      ? ''
      : `; together ${all.toFixed(1)} s of the ${(cores * wallSeconds).toFixed(1)} s that ` +
        `${cores} cores give in ${wallSeconds.toFixed(1)} s` +
        machineShare(start.machine, now.machine, cores * wallSeconds);
  const used = (key: keyof typeof now) => {
    const [from, to] = [start[key], now[key]];
    return from === null || to === null ? 'n/a' : `${(to - from).toFixed(1)} s`;
  };
  const faults = now.workerPageFaults - start.workerPageFaults;
  return (
    `worker ${used('worker')} (main thread ${used('workerMain')}, ` +
    `${Math.round(faults / 1000)} k page faults), ` +
    `simulators ${used('simulators')}, MariaDB ${used('mariadb')}, ` +
    `Redis ${used('redis')}${budget}`
  );
};

/**
 * The shortest this round's work could take on this machine, whatever the scheduling: the
 * worker runs on one thread, and all four processes share the machine's cores. Beside 2× the
 * slowest shop alone it tells whether the target is within reach of this much CPU work here.
 */
function cpuFloor(start: CpuReading, end: CpuReading, slowest: number): string {
  const spent = (key: (typeof PROCESSES)[number]) => (end[key] ?? 0) - (start[key] ?? 0);
  const mainThread =
    start.workerMain === null || end.workerMain === null ? null : end.workerMain - start.workerMain;
  const worker = mainThread ?? spent('worker');
  const cores = availableParallelism();
  const shared = PROCESSES.reduce((n, key) => n + spent(key), 0) / cores;
  const floor = Math.max(worker, shared);
  return (
    `this work takes at least ${floor.toFixed(1)} s here (${(floor / slowest).toFixed(2)} × the ` +
    `slowest shop alone): the worker's ${worker.toFixed(1)} s on its ` +
    `${mainThread === null ? 'one thread' : 'main thread'}, and the four ` +
    `processes' CPU over ${cores} cores ${shared.toFixed(1)} s`
  );
}

// The worker starts with every shop's VK community connected and no Evotor token yet.
const worker = await startWorker(container);
await until('the worker to settle', async () => (await busyJobs()) === 0);

say(`baseline: ${SOLO} shops synced one at a time, alone on the worker`);
const soloSeconds: number[] = [];
for (const shop of solo) {
  const started = performance.now();
  const startCpu = await cpu();
  await shop.connectEvotor();
  await until(
    'a shop alone',
    async () => complete(await itemCounts(), shop) && (await busyJobs()) === 0,
  );
  soloSeconds.push(seconds(started));
  say(`  ${shop.userId}: ${soloSeconds.at(-1)!.toFixed(1)} s (CPU: ${await cpuSince(startCpu)})`);
}
const slowestShop = Math.max(...soloSeconds);

say(`first round: ${SHOPS} shops synced for the first time, at once`);
spans.clear();
milestones.clear();
const firstStarted = performance.now();
const firstStartedAt = Date.now();
const firstCpu = await cpu();
const firstCounts = await round();
const profile = await startProfile();
// Tokens arrive at once, as Evotor's webhooks for many shops would: none waits for another's.
await Promise.all(shops.map((shop) => shop.connectEvotor()));
say(`  ${seconds(firstStarted).toFixed(1)} s: every shop's Evotor token received`);
let progressAt = 0;
await until('the first sync of every shop', async () => {
  const counts = await itemCounts();
  const done = shops.filter((s) => complete(counts, s)).length;
  if (performance.now() - progressAt > 10_000) {
    progressAt = performance.now();
    const total = shops.reduce((n, s) => n + (counts.get(s.groupId) ?? 0), 0);
    say(`  ${seconds(firstStarted).toFixed(0)} s: ${done}/${SHOPS} shops complete, ${total} items`);
  }
  return done === SHOPS && (await busyJobs()) === 0;
});
const firstRound = seconds(firstStarted);
const firstCpuEnd = await cpu();
const caughtUpAfter = await readTablesCaughtUp();
say(`  CPU in the first round: ${await cpuSince(firstCpu, firstRound, firstCpuEnd)}`);
say(`  ${cpuFloor(firstCpu, firstCpuEnd, slowestShop)}`);
say(`  ${await firstCounts(SHOPS * PRODUCTS)}`);
await profile.stop();
const longestSpan = Math.max(
  ...shops.map((s) => spans.get(s.userId)!).map((x) => x.last - x.first),
);
/** First–last (median) of epoch times, in seconds since the round began. */
const range = (values: number[]) => {
  const since = values.map((v) => (v - firstStartedAt) / 1000).sort((a, b) => a - b);
  if (since.length === 0) return 'none';
  const [first, last, median] = [since[0]!, since.at(-1)!, since[Math.floor(since.length / 2)]!];
  return `${first.toFixed(1)}–${last.toFixed(1)} s (median ${median.toFixed(1)} s)`;
};
const reached = shops.map((s) => milestones.get(s.userId)!);
const firstAdds = reached.flatMap((m) => (m.firstAdd === null ? [] : [m.firstAdd]));
say(
  `  catalogs read from Evotor at ${range(reached.map((m) => m.evotorDone))}; the first item ` +
    `of each shop sent to VK at ${range(firstAdds)}`,
);
say(
  `  read tables: every projection had handled the whole round ${caughtUpAfter.toFixed(1)} s ` +
    `after it ended`,
);
say(
  `first round: ${firstRound.toFixed(1)} s (${(firstRound / slowestShop).toFixed(2)} × the slowest ` +
    `shop alone); the longest span of one shop's calls in it: ${(longestSpan / 1000).toFixed(1)} s`,
);

// Change round: 1 % of every shop's products get a new price in Evotor; the pipeline runs.
// (The sku of a VK item is its Evotor product's id.)
const changedByStore = new Map(
  await sims.call('changePrices', {
    storeIds: shops.map((s) => s.storeId),
    count: CHANGED_PER_SHOP,
  }),
);
const wanted = shops.map(
  (s) => [s.groupId, changedByStore.get(s.storeId)!] as [number, Array<[string, number]>],
);
say(`change round: ${CHANGED_PER_SHOP} products per shop changed in Evotor, then the pipeline`);
const changeStarted = performance.now();
const changeCpu = await cpu();
const changeCounts = await round();
await container.scheduler.enqueue(SYNC_JOBS.pipeline, {});
await until(
  'the changes in VK',
  async () => (await sims.call('pricesShown', { wanted })) && (await busyJobs()) === 0,
);
const changeRound = seconds(changeStarted);
say(`change round: ${changeRound.toFixed(1)} s (CPU: ${await cpuSince(changeCpu)})`);
say(`  ${await changeCounts(SHOPS * CHANGED_PER_SHOP)} (per product changed)`);

let shownErrors = 0;
for (const shop of [...solo, ...shops]) {
  const events = await container.eventStore.readStream(`vk-mirror-${shop.userId}`);
  shownErrors += events.filter((e) => e.type === 'VkCommandFailed').length;
}
const vkLog = await sims.call('callLog', {});
say(
  `VK: ${vkLog.httpRequests} HTTP requests, rate refusals retried quietly: ${rateRefusals}, ` +
    `errors by code: ${JSON.stringify(vkLog.errors)}`,
);

await worker.stop();
await container.close();
await sims.stop();
await dropNamespace(NAMESPACE);
// BENCH_KEEP_DB=1 leaves the database for a look at what the run wrote.
if (!process.env.BENCH_KEEP_DB) await dropDatabase(DB_URL);
say(
  `RESULT fleet first_round_s=${firstRound.toFixed(1)} change_round_s=${changeRound.toFixed(1)} ` +
    `slowest_shop_s=${slowestShop.toFixed(1)} vk_errors=${shownErrors}`,
);
// The per-token VK limiters of the run (one per shop) keep timers of their own.
process.exit(0);
