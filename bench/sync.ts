/**
 * `npm run bench:sync`: the first sync of 10,000 products (1 store, 50 groups) and then an
 * unchanged resync, against the simulators with VK at its real pace for user tokens
 * (3 requests/s). The pipeline per run: Evotor fetch, VK fetch, push. `BENCH_IMAGE_SHARE`
 * (default 0.1) of the products have an Evotor image; 0 gives the figures from before photos.
 * Prints `RESULT sync first_s=… first_vk_http=… first_vk_calls=… resync_s=… resync_vk_http=…
 * resync_vk_writes=… photos=… photo_vk_http=… photo_uploads=… resync_evotor_http=…
 * resync_image_sweep=… resync_evotor_s=…` (the unchanged products whose images the resync
 * listed: the sweep's slice at the default hourly interval, about 1/16 of the catalog, see
 * image-listing.ts; and the resync's Evotor fetch alone).
 */
import { recreateDatabase } from '../src/infrastructure/db/database.js';
import { MariaDbEventStore } from '../src/infrastructure/eventstore/mariadb/mariadb-event-store.js';
import { SyncHarness } from '../test/support/sync-harness.js';

const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 10_000);
const IMAGE_SHARE = Number(process.env.BENCH_IMAGE_SHARE ?? 0.1);
const PHOTO_METHODS = new Set(['market.getProductPhotoUploadServer', 'market.saveProductPhoto']);
const DB = 'evosync_bench_sync';

const URL_ = `mysql://root@127.0.0.1:3306/${DB}`;
await recreateDatabase(URL_);
const store = await MariaDbEventStore.create(URL_);
const h = await SyncHarness.start(
  store,
  { stores: 1, groups: 50, products: PRODUCTS, seed: 10, imageShare: IMAGE_SHARE },
  { realVkRate: true, pageSize: 1000 },
);
await h.enableAndConfirm();

const totals = () => {
  const log = h.vk.admin.callLog();
  const calls = Object.entries(log.calls)
    .filter(([m]) => m !== 'execute')
    .reduce((n, [, v]) => n + v, 0);
  const writes = Object.values(h.writeCalls()).reduce((n, v) => n + v, 0);
  // HTTP requests that carried photo calls (each execute holds up to 25 of them, alone).
  const photoHttp = log.entries.filter(
    (e) => PHOTO_METHODS.has(e.method) || e.inner?.some((i) => PHOTO_METHODS.has(i.method)),
  ).length;
  const evotorHttp = h.evotor.admin.requestLog.length;
  return { http: log.httpRequests, calls, writes, photoHttp, evotorHttp };
};

async function pipeline(label: string) {
  h.vk.admin.resetCallLog();
  h.evotor.admin.clearRequests();
  const uploadsBefore = h.vk.admin.uploadCount();
  const started = performance.now();
  const { imageLists } = await h.fetchEvotor();
  const evotorSeconds = (performance.now() - started) / 1000;
  await h.fetchVk();
  const reports = await h.pushUntilSettled(5);
  const seconds = (performance.now() - started) / 1000;
  const t = totals();
  const uploads = h.vk.admin.uploadCount() - uploadsBefore;
  process.stdout.write(
    `${label}: ${uploads} photos uploaded, ${t.photoHttp} VK API requests for them ` +
      `(+${uploads} file POSTs to the upload server); Evotor: ${t.evotorHttp} requests, ` +
      `image lists of ${imageLists.changed} new or changed products + ${imageLists.swept} swept\n`,
  );
  process.stdout.write(
    `${label}: ${seconds.toFixed(1)} s, ${t.http} VK HTTP requests, ${t.calls} API calls (${t.writes} writes), ` +
      `created ${reports.reduce((n, r) => n + r.created, 0)}, bound ${(t.http / 3).toFixed(1)} s at 3 req/s\n`,
  );
  return { seconds, evotorSeconds, uploads, swept: imageLists.swept, ...t };
}

process.stdout.write(
  `seeding ${PRODUCTS} products in 1 store with 50 groups, ${IMAGE_SHARE * 100} % with an image; ` +
    `VK user token at 3 requests/s\n`,
);
const first = await pipeline('first sync');
const resync = await pipeline('unchanged resync');
const items = h.visibleItems().length;
process.stdout.write(
  `VK items: ${items} (sellable products: ${h.evotor.admin.products(h.storeIds[0]!).length})\n`,
);
await h.stop();
await store.close();
process.stdout.write(
  `RESULT sync first_s=${first.seconds.toFixed(1)} first_vk_http=${first.http} first_vk_calls=${first.calls} ` +
    `resync_s=${resync.seconds.toFixed(1)} resync_vk_http=${resync.http} resync_vk_writes=${resync.writes} ` +
    `photos=${first.uploads} photo_vk_http=${first.photoHttp} photo_uploads=${first.uploads} ` +
    `resync_photo_uploads=${resync.uploads} resync_evotor_http=${resync.evotorHttp} ` +
    `resync_image_sweep=${resync.swept} resync_evotor_s=${resync.evotorSeconds.toFixed(1)}\n`,
);
