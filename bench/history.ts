/**
 * `npm run bench:history`: does a shop's age cost anything? One store of BENCH_PRODUCTS (10,000)
 * products is synced to the VK simulator; an unchanged Evotor fetch and a no-op push are timed
 * ("fresh"); then BENCH_HISTORY (2,000,000) `ProductChanged` events are appended to the store's
 * catalog stream (stock going up and back, so the catalog ends as Evotor has it) and the same
 * fetch and push are timed again. Also prints the figures behind the snapshot threshold (see
 * docs/architecture.md, "Snapshots"). The last line:
 *   RESULT history fetch_ms=<n> push_ms=<n> fold_ms=<n> rss_mb=<n> fetch_ms_fresh=<n> push_ms_fresh=<n>
 *
 * The timed work runs in a child process, as a worker would run a job: its peak resident memory
 * (rss_mb) is that of the fetches, pushes and folds, not of this process's simulators or of the
 * setup (the first sync of 10,000 items). fold_ms: loading the catalog state (snapshot and
 * tail) with the history; the full fold without a snapshot is printed beside it.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
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
import { SETTINGS, SyncHarness } from '../test/support/sync-harness.js';

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
  rssMb: number;
  lines: string[];
}

const log = (line: string) => process.stdout.write(`${line}\n`);

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

/** The median of RUNS runs: one slow run (a GC, the other processes on the machine) is noise. */
async function median(work: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push((await timed(work)).ms);
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(times.length / 2)]!);
}

/** The child: fetches, pushes and folds like a worker, and reports figures as one JSON line. */
async function measure(shop: Shop, withHistory: boolean): Promise<Measured> {
  const store = await MariaDbEventStore.create(URL_);
  const commands = new CommandHandler(store);
  const catalogStream = storeCatalogStream(shop.userId, shop.storeId);
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
  const photo = await readFile('assets/default_product.png');
  const lines: string[] = [];

  const unchangedFetch = async () => {
    const result = await fetchEvotorCatalog({ commands, source }, shop.userId, randomUUID());
    if (result.changes !== 0) throw new Error(`the fetch was not unchanged: ${result.changes}`);
    await commands.flushSnapshots();
  };
  const noOpPush = async () => {
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
  };

  if (withHistory) {
    // Without a snapshot: the whole history, streamed page by page.
    const full = await timed(() =>
      readState(store, storeCatalogDecider, catalogStream, { codec: null }),
    );
    const events = full.value.revision + 1;
    const rate = Math.round(events / (full.ms / 1000));
    lines.push(
      `full fold (no snapshot) of ${events} events: ${Math.round(full.ms)} ms = ${rate} events/s, ` +
        `peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`,
    );
    // The first fetch after the bulk-appended history folds it all and leaves a snapshot.
    const catchUp = await timed(unchangedFetch);
    lines.push(
      `first fetch after the history (folds it, writes the snapshot): ${Math.round(catchUp.ms)} ms`,
    );

    // The threshold's figures: what a snapshot of this catalog costs against folding events.
    const json = storeCatalogSnapshot.toJSON(full.value.state);
    const bytes = Buffer.byteLength(JSON.stringify(json));
    const probe = `${catalogStream}-threshold-probe`;
    const schemaVersion = storeCatalogSnapshot.schemaVersion;
    const write = await timed(() =>
      store.writeSnapshot({ streamId: probe, revision: 1, schemaVersion, state: json }),
    );
    const read = await timed(() => store.readSnapshot(probe));
    lines.push(
      `snapshot of ${full.value.state.products.size} products: ${(bytes / 1e6).toFixed(1)} MB of JSON; ` +
        `write ${Math.round(write.ms)} ms (the fold of ~${Math.round((write.ms / 1000) * rate)} events), ` +
        `read ${Math.round(read.ms)} ms (~${Math.round((read.ms / 1000) * rate)} events)`,
    );
  } else {
    await unchangedFetch(); // the first load in this process, as after a worker's start
  }
  const fetchMs = await median(unchangedFetch);
  const pushMs = await median(noOpPush);
  const fold = await timed(() => readState(store, storeCatalogDecider, catalogStream));
  lines.push(
    `catalog load: ${Math.round(fold.ms)} ms (snapshot at ${fold.value.snapshotRevision}, ` +
      `head ${fold.value.revision})`,
  );
  await store.close();
  return {
    fetchMs,
    pushMs,
    foldMs: Math.round(fold.ms),
    rssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    lines,
  };
}

function inChild(shop: Shop, withHistory: boolean): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...process.execArgv, fileURLToPath(import.meta.url), '--measure'],
      {
        env: {
          ...process.env,
          BENCH_SHOP: JSON.stringify(shop),
          BENCH_WITH_HISTORY: String(withHistory),
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
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

async function main(): Promise<void> {
  await recreateDatabase(URL_);
  const store = await MariaDbEventStore.create(URL_);
  const h = await SyncHarness.start(
    store,
    { stores: 1, groups: 50, products: PRODUCTS, seed: 10 },
    { pageSize: 1000 },
  );
  const storeId = h.storeIds[0]!;
  const catalogStream = storeCatalogStream(h.userId, storeId);

  log(`syncing ${PRODUCTS} products (1 store, 50 groups) to the VK simulator…`);
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
    storeId,
    evotorUrl: h.evotor.url,
    evotorToken: evotor!.token,
    vkUrl: h.vk.apiUrl,
    vkToken: h.vkToken,
    vkGroupId: h.vkGroupId,
  };
  const fresh = await inChild(shop, false);
  for (const line of fresh.lines) log(`fresh: ${line}`);
  log(
    `fresh: unchanged fetch ${fresh.fetchMs} ms, no-op push ${fresh.pushMs} ms ` +
      `(medians of ${RUNS}); peak RSS ${fresh.rssMb} MB`,
  );

  // Appended in batches through the store (one lock, multi-row INSERTs), not through commands,
  // so no snapshot is written on the way: the first load after it folds it all.
  const { state: catalog, revision: before } = await readState(
    store,
    storeCatalogDecider,
    catalogStream,
  );
  const products = [...catalog.products.values()].map((p) => ({ id: p.id, qty: p.quantityMilli }));
  log(`appending ${HISTORY} ProductChanged events to the catalog stream (at revision ${before})…`);
  const appended = await timed(async () => {
    for (let done = 0; done < HISTORY; done += APPEND_BATCH) {
      const events: NewEvent[] = [];
      for (let i = done; i < Math.min(HISTORY, done + APPEND_BATCH); i++) {
        const p = products[i % products.length]!;
        const up = Math.floor(i / products.length) % 2 === 0;
        const change = up
          ? { field: 'quantityMilli', from: p.qty, to: p.qty + 1_000 }
          : { field: 'quantityMilli', from: p.qty + 1_000, to: p.qty };
        const data = { userId: h.userId, storeId, productId: p.id, changes: [change] };
        events.push(newEvent('ProductChanged', data));
      }
      await store.appendBatch([{ streamId: catalogStream, events, expectedRevision: 'any' }]);
      if (done % 200_000 === 0) process.stderr.write(`  ${done + events.length} appended\n`);
    }
  });
  log(
    `appended in ${(appended.ms / 1000).toFixed(1)} s (${Math.round(HISTORY / (appended.ms / 1000))} events/s)`,
  );

  const aged = await inChild(shop, true);
  for (const line of aged.lines) log(`history: ${line}`);
  log(
    `history: unchanged fetch ${aged.fetchMs} ms, no-op push ${aged.pushMs} ms (medians of ${RUNS}); ` +
      `peak RSS ${aged.rssMb} MB`,
  );

  await h.stop();
  await store.close();
  log(
    `RESULT history fetch_ms=${aged.fetchMs} push_ms=${aged.pushMs} fold_ms=${aged.foldMs} ` +
      `rss_mb=${aged.rssMb} fetch_ms_fresh=${fresh.fetchMs} push_ms_fresh=${fresh.pushMs}`,
  );
}

if (process.argv.includes('--measure')) {
  const shop = JSON.parse(process.env.BENCH_SHOP ?? '') as Shop;
  const result = await measure(shop, process.env.BENCH_WITH_HISTORY === 'true');
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  await main();
}
