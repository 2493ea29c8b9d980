/**
 * `npm run bench:history`: does a shop's age cost anything? Two shops of BENCH_PRODUCTS
 * (10,000) products each are synced to the VK simulator; one then gets BENCH_HISTORY
 * (2,000,000) `ProductChanged` events in its catalog stream (stock going up and back, so the
 * catalog ends as Evotor has it). An unchanged Evotor fetch, a no-op push and a catalog load are
 * timed for both shops in alternation (medians), so the load of a shared machine falls on both
 * alike. Also prints the figures behind the snapshot threshold (see docs/architecture.md,
 * "Snapshots, and folds that stream"). The last line:
 *   RESULT history fetch_ms=<n> push_ms=<n> fold_ms=<n> rss_mb=<n> fetch_ms_fresh=<n> push_ms_fresh=<n>
 *
 * The timed work runs in a child process, as a worker runs the jobs: compiled JavaScript on
 * plain `node` (as `node dist/src/main/worker.js` in docker-compose.yml), not through tsx,
 * whose loader and source maps add some 45 MB of their own. rss_mb is that process's peak
 * resident memory (the first fetch after the history, which folds all of it, included), not
 * that of this process's simulators or of the setup. fold_ms: loading the catalog state
 * (snapshot and tail) with the history.
 */
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CommandHandler } from '../src/application/commands/command-handler.js';
import { readState } from '../src/application/commands/load-state.js';
import type { NewEvent } from '../src/application/ports/event-store.js';
import { loadConnections } from '../src/application/sync/connections.js';
import { fetchEvotorCatalog } from '../src/application/sync/evotor-fetch.js';
import { pushToVk } from '../src/application/sync/vk-push.js';
import { storeCatalogDecider } from '../src/domain/catalog/decide.js';
import { storeCatalogStream } from '../src/domain/catalog/events.js';
import { storeCatalogSnapshot } from '../src/domain/catalog/snapshot.js';
import { recreateDatabase } from '../src/infrastructure/db/database.js';
import { MariaDbEventStore } from '../src/infrastructure/eventstore/mariadb/mariadb-event-store.js';
import { EvotorClientCatalogSource } from '../src/infrastructure/evotor/catalog-source.js';
import { EvotorClient } from '../src/infrastructure/evotor/evotor-client.js';
import { VkClientMarketGateway } from '../src/infrastructure/vk/market-gateway.js';
import { VkClient } from '../src/infrastructure/vk/vk-client.js';
import { newEvent } from '../test/support/events.js';
import { SETTINGS } from '../test/support/sync-settings.js';
import type { SyncHarness } from '../test/support/sync-harness.js';

const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 10_000);
const REQUESTED = Number(process.env.BENCH_HISTORY ?? 2_000_000);
// Every product changes an even number of times, so each ends at the value Evotor has.
const HISTORY = Math.ceil(REQUESTED / (2 * PRODUCTS)) * 2 * PRODUCTS;
const APPEND_BATCH = 10_000;
const RUNS = 5;
const URL_ = 'mysql://root@127.0.0.1:3306/evosync_bench_history';

/** What the child needs to act as a worker for the shop. */
interface Shop {
  userId: string;
  storeId: string;
  evotorUrl: string;
  evotorToken: string;
  vkUrl: string;
  vkToken: string;
  vkGroupId: number;
}

interface Measured {
  fetchMs: number;
  pushMs: number;
  foldMs: number;
  fetchMsFresh: number;
  pushMsFresh: number;
  foldMsFresh: number;
  rssMb: number;
  lines: string[];
}

const log = (line: string) => process.stdout.write(`${line}\n`);

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

const medianOf = (times: number[]) =>
  Math.round([...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!);

/** A worker's view of one shop: its unchanged fetch, its no-op push, its catalog load. */
function worker(store: MariaDbEventStore, commands: CommandHandler, shop: Shop, photo: Buffer) {
  const source = new EvotorClientCatalogSource(
    new EvotorClient({ baseUrl: shop.evotorUrl, token: shop.evotorToken, userId: shop.userId }),
  );
  const gateway = new VkClientMarketGateway(
    new VkClient({
      apiUrl: shop.vkUrl,
      version: '5.199',
      token: shop.vkToken,
      tokenKind: 'user',
      requestsPerSecond: 200,
    }),
    shop.vkGroupId,
    { userId: shop.userId },
  );
  const catalogStream = storeCatalogStream(shop.userId, shop.storeId);
  return {
    catalogStream,
    async fetch() {
      const result = await fetchEvotorCatalog({ commands, source }, shop.userId, randomUUID());
      if (result.changes !== 0) throw new Error(`the fetch was not unchanged: ${result.changes}`);
      await commands.flushSnapshots();
    },
    async push() {
      const report = await pushToVk(
        {
          store,
          commands,
          gateway,
          groupId: shop.vkGroupId,
          settings: SETTINGS,
          defaultPhoto: async () => ({ file: photo, filename: 'default_product.png' }),
        },
        shop.userId,
        randomUUID(),
      );
      if (report.outcome !== 'nothing_to_do') throw new Error(`the push did: ${report.outcome}`);
      await commands.flushSnapshots();
    },
    load: () => readState(store, storeCatalogDecider, catalogStream),
  };
}

/**
 * The child: the shop with history and the fresh one, measured in alternation, so the load
 * of a shared machine falls on both alike. Reports its figures as one JSON line.
 */
async function measure(freshShop: Shop, agedShop: Shop): Promise<Measured> {
  const store = await MariaDbEventStore.create(URL_);
  const commands = new CommandHandler(store);
  const photo = await readFile('assets/default_product.png');
  const fresh = worker(store, commands, freshShop, photo);
  const aged = worker(store, commands, agedShop, photo);
  const lines: string[] = [];
  const memory: string[] = [];
  const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
  /** Where the memory is after each phase: the peak alone does not say which phase set it. */
  const note = (phase: string) => {
    const m = process.memoryUsage();
    memory.push(
      `${phase}: rss ${mb(m.rss)} (peak ${Math.round(process.resourceUsage().maxRSS / 1024)}), ` +
        `heap ${mb(m.heapUsed)}/${mb(m.heapTotal)}, external ${mb(m.external)} MB`,
    );
  };
  note('started');
  // Which phase the peak falls in: the resident size, sampled while the work runs.
  let phase = 'start';
  const peak = { mb: 0, phase };
  const sampler = setInterval(() => {
    const now = process.memoryUsage.rss() / 1024 / 1024;
    if (now > peak.mb) Object.assign(peak, { mb: Math.round(now), phase });
  }, 10);
  const inPhase = async <T>(name: string, work: () => Promise<T>) => {
    phase = name;
    return timed(work);
  };

  // The first fetch after the bulk-appended history folds all of it (streamed, no snapshot
  // covers it) and leaves a snapshot behind: what the first fetch after this upgrade costs.
  const catchUp = await inPhase('first fetch with history', () => aged.fetch());
  const rssAfterCatchUp = Math.round(process.resourceUsage().maxRSS / 1024);
  note('after the first fetch with history');
  const { state, revision } = await aged.load();
  lines.push(
    `first fetch after the history (folds all ${revision + 1} events, streamed, then writes ` +
      `the snapshot): ${Math.round(catchUp.ms)} ms, peak RSS ${rssAfterCatchUp} MB`,
  );

  // The threshold's figures: what a snapshot of this catalog costs.
  const json = storeCatalogSnapshot.toJSON(state);
  const bytes = Buffer.byteLength(JSON.stringify(json));
  const probe = `${aged.catalogStream}-threshold-probe`;
  const schemaVersion = storeCatalogSnapshot.schemaVersion;
  const write = await timed(() =>
    store.writeSnapshot({ streamId: probe, revision: 1, schemaVersion, state: json }),
  );
  const read = await timed(() => store.readSnapshot(probe));
  // A load's tail: the last 10,000 events folded onto the state, as after a snapshot.
  const tailEvents = Math.min(10_000, revision + 1);
  const tail = await timed(async () => {
    let folded = state;
    const from = revision + 1 - tailEvents;
    for await (const e of store.readStreamIterable(aged.catalogStream, { fromRevision: from })) {
      folded = storeCatalogDecider.evolve(folded, { type: e.type, data: e.data } as never);
    }
  });
  const rate = tailEvents / (tail.ms / 1000);
  lines.push(
    `snapshot of ${state.products.size} products: ${(bytes / 1e6).toFixed(1)} MB of JSON; ` +
      `write ${Math.round(write.ms)} ms (the fold of ~${Math.round((write.ms / 1000) * rate)} events), ` +
      `read ${Math.round(read.ms)} ms (~${Math.round((read.ms / 1000) * rate)} events); ` +
      `a tail of ${tailEvents} events folds in ${Math.round(tail.ms)} ms (${Math.round(rate)} events/s)`,
  );

  await inPhase('first fetch of the fresh shop', () => fresh.fetch()); // its first load here, like the catch-up's
  note('after the first fetch of the fresh shop');
  const times = { fetch: [[], []], push: [[], []], load: [[], []] } as Record<
    'fetch' | 'push' | 'load',
    [number[], number[]]
  >;
  for (let i = 0; i < RUNS; i++) {
    for (const [k, shop] of [fresh, aged].entries()) {
      const which = k === 0 ? 'fresh' : 'with history';
      times.fetch[k]!.push((await inPhase(`fetch ${which}`, () => shop.fetch())).ms);
      times.push[k]!.push((await inPhase(`push ${which}`, () => shop.push())).ms);
      times.load[k]!.push((await inPhase(`load ${which}`, () => shop.load())).ms);
    }
    note(`after run ${i + 1}`);
  }
  const last = await aged.load();
  clearInterval(sampler);
  lines.push(`memory (MB) of the measuring process: ${memory.join('; ')}`);
  lines.push(`highest resident size sampled (every 10 ms): ${peak.mb} MB, in ${peak.phase}`);
  lines.push(
    `catalog with history loads from the snapshot at ${last.snapshotRevision} (head ${last.revision})`,
  );
  await store.close();
  return {
    fetchMs: medianOf(times.fetch[1]),
    pushMs: medianOf(times.push[1]),
    foldMs: medianOf(times.load[1]),
    fetchMsFresh: medianOf(times.fetch[0]),
    pushMsFresh: medianOf(times.push[0]),
    foldMsFresh: medianOf(times.load[0]),
    rssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    lines,
  };
}

/**
 * This file compiled with the project's compiler settings, into node_modules/.cache (so its
 * imports resolve to the project's node_modules): the script the measuring child runs.
 */
async function compiledSelf(): Promise<string> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const outDir = join(root, 'node_modules/.cache/evosync-bench-history');
  await mkdir(outDir, { recursive: true });
  const tsconfig = join(outDir, 'tsconfig.json');
  const config = {
    extends: relative(outDir, join(root, 'tsconfig.json')),
    compilerOptions: { noEmit: false, sourceMap: false, rootDir: root, outDir },
    files: [fileURLToPath(import.meta.url)],
  };
  await writeFile(tsconfig, JSON.stringify(config));
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  await promisify(execFile)(process.execPath, [tsc, '-p', tsconfig], { cwd: root });
  return join(outDir, relative(root, fileURLToPath(import.meta.url)).replace(/\.ts$/, '.js'));
}

async function inChild(fresh: Shop, aged: Shop): Promise<Measured> {
  const script = await compiledSelf();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, '--measure'], {
      env: { ...process.env, BENCH_SHOPS: JSON.stringify([fresh, aged]) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code === 0) resolve(JSON.parse(last) as Measured);
      else reject(new Error(`the measuring process exited with ${code}: ${out}`));
    });
  });
}

/** A shop synced to its own simulators: every product is in VK, a push has nothing to do. */
async function syncedShop(store: MariaDbEventStore): Promise<{ h: SyncHarness; shop: Shop }> {
  // Loaded here, in the parent only: the measuring child stands for a worker and must not carry
  // the simulators (Express, sharp, their state) that SyncHarness brings (some 20 MB resident).
  const { SyncHarness } = await import('../test/support/sync-harness.js');
  const h = await SyncHarness.start(
    store,
    { stores: 1, groups: 50, products: PRODUCTS, seed: 10 },
    { pageSize: 1000 },
  );
  await h.enableAndConfirm();
  await h.fetchEvotor();
  await h.fetchVk();
  await h.pushUntilSettled(5);
  await h.fetchVk();
  await h.commands.flushSnapshots();
  log(`VK items: ${h.visibleItems().length}`);
  const { evotor } = await loadConnections(store, h.cipher, h.userId);
  const shop: Shop = {
    userId: h.userId,
    storeId: h.storeIds[0]!,
    evotorUrl: h.evotor.url,
    evotorToken: evotor!.token,
    vkUrl: h.vk.apiUrl,
    vkToken: h.vkToken,
    vkGroupId: h.vkGroupId,
  };
  return { h, shop };
}

/** Stock going up and back for every product in turn: the catalog ends as Evotor has it. */
async function appendHistory(store: MariaDbEventStore, shop: Shop): Promise<void> {
  const catalogStream = storeCatalogStream(shop.userId, shop.storeId);
  const { state, revision } = await readState(store, storeCatalogDecider, catalogStream);
  const products = [...state.products.values()].map((p) => ({ id: p.id, qty: p.quantityMilli }));
  log(
    `appending ${HISTORY} ProductChanged events to one catalog stream (at revision ${revision})…`,
  );
  // In batches through the store (one lock, multi-row INSERTs), not through commands, so no
  // snapshot is written on the way.
  const appended = await timed(async () => {
    for (let done = 0; done < HISTORY; done += APPEND_BATCH) {
      const events: NewEvent[] = [];
      for (let i = done; i < Math.min(HISTORY, done + APPEND_BATCH); i++) {
        const p = products[i % products.length]!;
        const up = Math.floor(i / products.length) % 2 === 0;
        const change = up
          ? { field: 'quantityMilli', from: p.qty, to: p.qty + 1_000 }
          : { field: 'quantityMilli', from: p.qty + 1_000, to: p.qty };
        const data = {
          userId: shop.userId,
          storeId: shop.storeId,
          productId: p.id,
          changes: [change],
        };
        events.push(newEvent('ProductChanged', data));
      }
      await store.appendBatch([{ streamId: catalogStream, events, expectedRevision: 'any' }]);
      if (done % 200_000 === 0) process.stderr.write(`  ${done + events.length} appended\n`);
    }
  });
  const rate = Math.round(HISTORY / (appended.ms / 1000));
  log(`appended in ${(appended.ms / 1000).toFixed(1)} s (${rate} events/s)`);
}

async function main(): Promise<void> {
  await recreateDatabase(URL_);
  const store = await MariaDbEventStore.create(URL_);
  log(`syncing two shops of ${PRODUCTS} products (1 store, 50 groups) to their VK simulators…`);
  const fresh = await syncedShop(store);
  const aged = await syncedShop(store);
  await appendHistory(store, aged.shop);

  const m = await inChild(fresh.shop, aged.shop);
  for (const line of m.lines) log(line);
  log(
    `medians of ${RUNS}, the two shops in alternation: ` +
      `unchanged fetch ${m.fetchMsFresh} ms fresh, ${m.fetchMs} ms with history; ` +
      `no-op push ${m.pushMsFresh} ms fresh, ${m.pushMs} ms with history; ` +
      `catalog load ${m.foldMsFresh} ms fresh, ${m.foldMs} ms with history; ` +
      `peak RSS of the measuring process ${m.rssMb} MB`,
  );

  await Promise.all([fresh.h.stop(), aged.h.stop()]);
  await store.close();
  log(
    `RESULT history fetch_ms=${m.fetchMs} push_ms=${m.pushMs} fold_ms=${m.foldMs} ` +
      `rss_mb=${m.rssMb} fetch_ms_fresh=${m.fetchMsFresh} push_ms_fresh=${m.pushMsFresh}`,
  );
}

if (process.argv.includes('--measure')) {
  const [fresh, aged] = JSON.parse(process.env.BENCH_SHOPS ?? '') as [Shop, Shop];
  const result = await measure(fresh, aged);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  await main();
}
