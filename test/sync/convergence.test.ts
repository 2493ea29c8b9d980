/**
 * Convergence, property-based: random sequences of Evotor edits, VK hand edits, filter and
 * multiplier changes and faults (VK errors, 500s, dropped connections, a worker killed between
 * a VK call and its record) over many pipeline runs; once the faults stop and two runs in a row
 * find nothing to do, VK must equal the desired mirror exactly: every in-scope product once,
 * in its album, with its name, price, availability and main photo, and nothing else of ours live.
 *
 * On MariaDB (the event store) and the Evotor and VK simulators over HTTP. The sequences come
 * from a seeded generator; a failure prints the seed and the steps, and
 * `CONVERGE_SEED=<seed> CONVERGE_RUNS=1` replays it. `CONVERGE_RUNS` (default 12) and
 * `CONVERGE_STEPS` (default 30) size the run: the default keeps the file well under a minute.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VkMarketGateway } from '../../src/application/sync/ports.js';
import { mirrorDecider } from '../../src/domain/mirror/decide.js';
import { vkItemName } from '../../src/domain/mirror/desired-item.js';
import { applyPriceMultiplier } from '../../src/domain/sync-config/price-multiplier.js';
import { MariaDbEventStore } from '../../src/infrastructure/eventstore/mariadb/mariadb-event-store.js';
import { createTestDatabase } from '../support/mariadb.js';
import { SyncHarness } from '../support/sync-harness.js';

const RUNS = Number(process.env.CONVERGE_RUNS ?? 12);
const STEPS = Number(process.env.CONVERGE_STEPS ?? 30);
const FIRST_SEED = Number(process.env.CONVERGE_SEED ?? Math.floor(Math.random() * 2 ** 31));

/** The same generator as the VK simulator's faults: a seed gives the same sequence. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Killed = 'market.add' | 'market.addAlbum' | 'market.addToAlbum' | 'market.edit';
type Step =
  | { kind: 'evotor-add'; group: number; price: number }
  | { kind: 'evotor-change'; product: number; price: number; rename: boolean }
  | { kind: 'evotor-move'; product: number; group: number }
  | { kind: 'evotor-rename-group'; group: number }
  | { kind: 'evotor-remove'; product: number }
  | { kind: 'evotor-sell'; product: number; allow: boolean }
  | { kind: 'vk-price'; item: number; price: number }
  | { kind: 'vk-title'; item: number }
  | { kind: 'vk-photo'; item: number }
  | { kind: 'vk-delete-item'; item: number; hard: boolean }
  | { kind: 'vk-delete-album'; album: number }
  | { kind: 'vk-remove-from-album'; item: number }
  | { kind: 'filter'; group: number; exclude: boolean }
  | { kind: 'multiplier'; value: string }
  | { kind: 'fault'; code: 6 | 9 | 10 | 14; count: number; method?: string }
  | { kind: 'http-faults'; fraction: number }
  | { kind: 'kill'; method: Killed; when: 'before' | 'after' }
  | { kind: 'run' }
  | { kind: 'wait'; minutes: number };

function generate(random: () => number, steps: number): Step[] {
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const price = () => int(200_000) / 100;
  const makers: Array<() => Step> = [
    () => ({ kind: 'evotor-add', group: int(100), price: price() }),
    () => ({ kind: 'evotor-change', product: int(100), price: price(), rename: random() < 0.3 }),
    () => ({ kind: 'evotor-move', product: int(100), group: int(100) }),
    () => ({ kind: 'evotor-rename-group', group: int(100) }),
    () => ({ kind: 'evotor-remove', product: int(100) }),
    () => ({ kind: 'evotor-sell', product: int(100), allow: random() < 0.5 }),
    () => ({ kind: 'vk-price', item: int(100), price: price() }),
    () => ({ kind: 'vk-title', item: int(100) }),
    () => ({ kind: 'vk-photo', item: int(100) }),
    () => ({ kind: 'vk-delete-item', item: int(100), hard: random() < 0.5 }),
    () => ({ kind: 'vk-delete-album', album: int(100) }),
    () => ({ kind: 'vk-remove-from-album', item: int(100) }),
    () => ({ kind: 'filter', group: int(100), exclude: random() < 0.6 }),
    () => ({ kind: 'multiplier', value: pick(['1', '1.5', '0.9', '2']) }),
    () => ({
      kind: 'fault',
      code: pick([6, 9, 10, 10, 14] as const),
      count: 1 + int(30),
      ...(random() < 0.7
        ? { method: pick(['market.add', 'market.edit', 'market.addToAlbum', 'market.addAlbum']) }
        : {}),
    }),
    () => ({ kind: 'http-faults', fraction: pick([0, 0.1, 0.25]) }),
    () => ({
      kind: 'kill',
      method: pick(['market.add', 'market.addAlbum', 'market.addToAlbum', 'market.edit'] as const),
      when: pick(['before', 'after'] as const),
    }),
    () => ({ kind: 'run' }),
    () => ({ kind: 'run' }),
    () => ({ kind: 'run' }),
    () => ({ kind: 'wait', minutes: pick([1, 5, 31]) }),
  ];
  return Array.from({ length: steps }, () => pick(makers)());
}

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let store: MariaDbEventStore;

beforeAll(async () => {
  db = await createTestDatabase('converge');
  store = await MariaDbEventStore.create(db.url);
});
afterAll(async () => {
  await store.close();
  await db.drop();
});

/** The worker dies once, before or after the VK call of `method`, before its outcome is recorded. */
const killOnce =
  (h: SyncHarness, method: Killed, when: 'before' | 'after') =>
  (g: VkMarketGateway): VkMarketGateway => ({
    fetchAlbums: () => g.fetchAlbums(),
    fetchItems: () => g.fetchItems(),
    uploadProductPhoto: (file, name) => g.uploadProductPhoto(file, name),
    run: async (calls) => {
      const hit = calls.some((c) => c.method === method);
      if (hit) h.wrapGateway = null;
      if (hit && when === 'before') throw new Error('worker killed');
      const results = await g.run(calls);
      if (hit) throw new Error('worker killed');
      return results;
    },
  });

class Model {
  excluded = new Set<string>();
  multiplier = '1';
  renames = 0;
  adds = 0;
}

async function apply(h: SyncHarness, model: Model, step: Step): Promise<void> {
  const storeId = h.storeIds[0]!;
  const products = () => h.evotor.admin.products(storeId);
  const groups = () => h.evotor.admin.groups(storeId);
  const at = <T>(xs: T[], i: number): T | undefined => (xs.length ? xs[i % xs.length] : undefined);
  const live = () => h.visibleItems();
  switch (step.kind) {
    case 'evotor-add': {
      const group = at(groups(), step.group);
      h.evotor.admin.addProduct(storeId, {
        // the simulator's own ids repeat once a product was removed
        id: `10000000-0000-4000-8000-${String(++model.adds).padStart(12, '0')}`,
        name: `Новый товар ${model.adds}`,
        parent_id: group?.id ?? null,
        price: step.price,
      });
      return;
    }
    case 'evotor-change': {
      const p = at(products(), step.product);
      if (p) {
        const name = step.rename ? `${p.name.split(' #')[0]} #${++model.renames}` : p.name;
        h.evotor.admin.changeProduct(storeId, p.id, { price: step.price, name });
      }
      return;
    }
    case 'evotor-move': {
      const p = at(products(), step.product);
      const g = at(groups(), step.group);
      if (p) h.evotor.admin.changeProduct(storeId, p.id, { parent_id: g?.id ?? null });
      return;
    }
    case 'evotor-rename-group': {
      const g = at(groups(), step.group);
      if (g) h.evotor.admin.changeGroup(storeId, g.id, { name: `Группа ${++model.renames}` });
      return;
    }
    case 'evotor-remove': {
      const p = at(products(), step.product);
      if (p) h.evotor.admin.removeProduct(storeId, p.id);
      return;
    }
    case 'evotor-sell': {
      const p = at(products(), step.product);
      if (p) h.evotor.admin.changeProduct(storeId, p.id, { allow_to_sell: step.allow });
      return;
    }
    case 'vk-price': {
      const item = at(live(), step.item);
      if (item) h.vk.admin.changeItem(item.id, { price: step.price });
      return;
    }
    case 'vk-title': {
      const item = at(live(), step.item);
      if (item) h.vk.admin.changeItem(item.id, { title: `${item.title} (правка)` });
      return;
    }
    case 'vk-photo': {
      const item = at(live(), step.item);
      if (item) h.vk.admin.changeItem(item.id, { mainPhotoId: (item.mainPhotoId ?? 0) + 1 });
      return;
    }
    case 'vk-delete-item': {
      const item = at(live(), step.item);
      if (item) h.vk.admin.deleteItem(item.id, step.hard);
      return;
    }
    case 'vk-delete-album': {
      const albums = h.vk.admin.snapshot().albums.filter((a) => a.ownerId === -h.vkGroupId);
      const album = at(albums, step.album);
      if (album) h.vk.admin.deleteAlbum(album.id);
      return;
    }
    case 'vk-remove-from-album': {
      const item = at(
        live().filter((i) => i.albumIds.length > 0),
        step.item,
      );
      if (item) h.vk.admin.removeFromAlbum(item.id, item.albumIds[0]!);
      return;
    }
    case 'filter': {
      const g = at(groups(), step.group);
      if (!g) return;
      if (step.exclude) {
        model.excluded.add(g.id);
        await h.configure({
          type: 'SetFilterRule',
          entityType: 'group',
          entityId: g.id,
          entityName: g.name,
          mode: 'exclude',
          parentEntityId: storeId,
        });
      } else {
        model.excluded.delete(g.id);
        await h.configure({ type: 'ClearFilterRule', entityType: 'group', entityId: g.id });
      }
      return;
    }
    case 'multiplier':
      model.multiplier = step.value;
      await h.configure({ type: 'SetPriceMultiplier', multiplier: step.value });
      return;
    case 'fault':
      h.vk.admin.addFault({
        code: step.code,
        count: step.count,
        ...(step.method ? { method: step.method } : {}),
      });
      return;
    case 'http-faults':
      h.vk.admin.setHttpFaults(
        step.fraction > 0
          ? { fraction: step.fraction, kinds: ['http500', 'drop', 'drop_after'], seed: 7 }
          : null,
      );
      return;
    case 'kill':
      h.wrapGateway = killOnce(h, step.method, step.when);
      return;
    case 'run':
      // The pipeline: fetch Evotor, fetch VK, push (a failing step is the job's, retried later).
      await h.fetchEvotor().catch(() => null);
      await h.fetchVk().catch(() => null);
      await h.push().catch(() => null);
      return;
    case 'wait':
      h.advance(step.minutes * 60_000);
      return;
    default: {
      const _never: never = step;
      return _never;
    }
  }
}

/** The owner resumes a captcha pause, as the /sync page's button does. */
async function resume(h: SyncHarness): Promise<void> {
  await h.commands.handle(
    mirrorDecider,
    `vk-mirror-${h.userId}`,
    { type: 'ResumeVkPush', userId: h.userId },
    { actor: h.userId },
  );
}

/** Faults off; pipeline runs until two in a row find nothing to do (bounded). */
async function settle(h: SyncHarness): Promise<number> {
  h.vk.admin.clearFaults();
  h.wrapGateway = null;
  let quiet = 0;
  for (let round = 1; round <= 15; round++) {
    await resume(h);
    h.advance(31 * 60_000);
    await h.fetchEvotor();
    await h.fetchVk();
    const reports = await h.pushUntilSettled(10);
    quiet = reports.length === 1 && reports[0]!.outcome === 'nothing_to_do' ? quiet + 1 : 0;
    if (quiet === 2) return round;
  }
  throw new Error('the mirror did not settle in 15 runs after the faults stopped');
}

/** VK against the desired mirror, computed from the Evotor simulator and the settings. */
function mismatches(h: SyncHarness, model: Model): string[] {
  const storeId = h.storeIds[0]!;
  const groups = new Map(h.evotor.admin.groups(storeId).map((g) => [g.id, g]));
  const chain = (groupId: string | null) => {
    const out: string[] = [];
    for (let g = groupId; g && !out.includes(g); g = groups.get(g)?.parent_id ?? null) out.push(g);
    return out;
  };
  const snapshot = h.vk.admin.snapshot();
  const albums = new Map(
    snapshot.albums.filter((a) => a.ownerId === -h.vkGroupId).map((a) => [a.id, a.title]),
  );
  const live = h.visibleItems();
  const problems: string[] = [];
  // One default photo for all (a crash between its upload and its record uploads another:
  // harmless, as long as every item ends up with the one the mirror uses).
  const photos = new Set(snapshot.photos.filter((p) => p.groupId === h.vkGroupId).map((p) => p.id));
  const photo = live[0]?.mainPhotoId ?? null;
  if (photo !== null && !photos.has(photo)) problems.push(`photo ${photo} is not the community's`);
  const wanted = new Set<string>();
  for (const p of h.evotor.admin.products(storeId)) {
    if (chain(p.parent_id ?? null).some((g) => model.excluded.has(g))) continue;
    wanted.add(p.id);
    const items = live.filter((i) => i.sku === p.id);
    if (items.length !== 1) {
      problems.push(`${p.id}: ${items.length} live items`);
      continue;
    }
    const item = items[0]!;
    const name = vkItemName({ name: p.name, articleNumber: p.article_number ?? '' });
    const price = applyPriceMultiplier(Math.round(p.price * 100), model.multiplier);
    const group = p.parent_id ? groups.get(p.parent_id) : undefined;
    const inAlbums = item.albumIds.flatMap((a) => (albums.has(a) ? [albums.get(a)] : []));
    const expectAlbums = group ? [group.name.trim()] : [];
    if (item.title !== name) problems.push(`${p.id}: title ${item.title} ≠ ${name}`);
    if (Math.round(item.price * 100) !== price)
      problems.push(`${p.id}: price ${item.price} ≠ ${price / 100}`);
    if (item.stockAmount !== (p.allow_to_sell ? 1000 : 0))
      problems.push(`${p.id}: stock ${item.stockAmount}, allow_to_sell ${p.allow_to_sell}`);
    if (item.mainPhotoId !== photo) problems.push(`${p.id}: photo ${item.mainPhotoId} ≠ ${photo}`);
    if (JSON.stringify(inAlbums) !== JSON.stringify(expectAlbums))
      problems.push(
        `${p.id}: albums ${JSON.stringify(inAlbums)} ≠ ${JSON.stringify(expectAlbums)}`,
      );
  }
  for (const item of live) {
    if (!wanted.has(item.sku ?? ''))
      problems.push(`item ${item.id} (${item.sku}) live, not wanted`);
  }
  return problems;
}

describe('the mirror converges after any sequence of edits and faults', () => {
  for (let run = 0; run < RUNS; run++) {
    const seed = (FIRST_SEED + run) % 2 ** 31;
    it(`sequence with seed ${seed}`, async () => {
      const random = mulberry32(seed);
      const steps = generate(random, STEPS);
      const h = await SyncHarness.start(store, { groups: 4, products: 12, seed: seed % 1000 });
      const model = new Model();
      const done: Step[] = [];
      try {
        await h.fetchEvotor();
        await h.enableAndConfirm();
        for (const step of steps) {
          done.push(step);
          await apply(h, model, step);
        }
        const rounds = await settle(h);
        expect(mismatches(h, model), `after ${rounds} runs`).toEqual([]);
      } catch (error) {
        process.stderr.write(
          `convergence failed: CONVERGE_SEED=${seed} CONVERGE_RUNS=1 CONVERGE_STEPS=${STEPS}\n` +
            `steps: ${JSON.stringify(done)}\n`,
        );
        throw error;
      } finally {
        await h.stop();
      }
    }, 120_000);
  }
});
