import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VkSimAdmin } from '../../src/simulators/vk/admin.js';
import { VkCore } from '../../src/simulators/vk/core.js';
import type { SimItem } from '../../src/simulators/vk/state.js';
import { goodItem, type Loose } from './helpers.js';
import { propertySeed } from '../support/property.js';

/**
 * The simulator keeps each community's items in an index of their own (market.add, market.get
 * and the albums look at one community, not at every community's items). Whatever happens to
 * the items, its answers must be what a scan of every item gives.
 */
const COMMUNITIES = [101, 102, 103];
const token = (community: number) => `index-token-${community}`;

type Step =
  | { kind: 'add'; community: number; count: number }
  | { kind: 'delete' | 'restore' | 'hardDelete'; pick: number }
  | { kind: 'move'; pick: number; to: number }
  | { kind: 'addAlbum'; community: number }
  | { kind: 'addToAlbum'; pick: number; album: number }
  | { kind: 'deleteAlbum'; album: number; byAdmin: boolean };

const community = fc.constantFrom(...COMMUNITIES);
const pick = fc.nat(1000);
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('add' as const),
    community,
    count: fc.integer({ min: 1, max: 4 }),
  }),
  fc.record({
    kind: fc.constantFrom('delete' as const, 'restore' as const, 'hardDelete' as const),
    pick,
  }),
  fc.record({ kind: fc.constant('move' as const), pick, to: community }),
  fc.record({ kind: fc.constant('addAlbum' as const), community }),
  fc.record({ kind: fc.constant('addToAlbum' as const), pick, album: pick }),
  fc.record({ kind: fc.constant('deleteAlbum' as const), album: pick, byAdmin: fc.boolean() }),
);

function simulator() {
  const core = new VkCore();
  const admin = new VkSimAdmin(core);
  core.traffic.setLimits({ user: 1_000_000 });
  for (const id of COMMUNITIES) admin.addShop({ token: token(id), userId: id, communityId: id });
  const call = (id: number, method: string, params: Record<string, string | number>) => {
    const raw = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)]));
    return core.handle(method, { v: '5.199', ...raw }, token(id)) as Loose;
  };
  return { core, admin, call };
}

function apply(sim: ReturnType<typeof simulator>, s: Step): void {
  const { admin, call } = sim;
  const { items, albums } = admin.snapshot();
  const item = 'pick' in s ? items[s.pick % Math.max(1, items.length)] : undefined;
  const onItem = (work: (it: SimItem, owner: number) => void) => {
    if (item) work(item, -item.ownerId);
  };
  switch (s.kind) {
    case 'add':
      for (let i = 0; i < s.count; i++) call(s.community, 'market.add', goodItem(-s.community));
      return;
    case 'addAlbum':
      call(s.community, 'market.addAlbum', { owner_id: -s.community, title: 'Альбом' });
      return;
    case 'deleteAlbum': {
      const album = albums[s.album % Math.max(1, albums.length)];
      if (!album) return;
      if (s.byAdmin) admin.deleteAlbum(album.id);
      else
        call(-album.ownerId, 'market.deleteAlbum', { owner_id: album.ownerId, album_id: album.id });
      return;
    }
    case 'delete':
    case 'restore':
      return onItem((it, owner) =>
        call(owner, `market.${s.kind}`, { owner_id: it.ownerId, item_id: it.id }),
      );
    case 'hardDelete':
      return onItem((it) => admin.deleteItem(it.id, true));
    case 'move':
      // VK moves no item between communities; the admin API can, and then it leaves its albums.
      return onItem((it) => admin.changeItem(it.id, { ownerId: -s.to, albumIds: [] }));
    case 'addToAlbum':
      return onItem((it, owner) => {
        const own = albums.filter((a) => a.ownerId === it.ownerId);
        const album = own[s.album % Math.max(1, own.length)];
        if (album)
          call(owner, 'market.addToAlbum', {
            owner_id: it.ownerId,
            item_ids: it.id,
            album_ids: album.id,
          });
      });
  }
}

/** What a scan of every item answers: market.get's ids and count, and each album's count. */
function scanned(all: SimItem[], id: number, albumId: number) {
  const live = all
    .filter((i) => i.ownerId === -id && i.deletedAt === null)
    .filter((i) => albumId === 0 || i.albumIds.includes(albumId))
    .sort((a, b) => b.id - a.id);
  return { count: live.length, ids: live.slice(0, 100).map((i) => i.id) };
}

describe('VK simulator: items indexed per community', () => {
  it('answers market.get, market.getAlbums and market.add as a scan of every item would', () => {
    const seed = propertySeed('INDEX_SEED', 'simulator index');
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), (steps) => {
        const sim = simulator();
        sim.core.settings.maxItemsPerCommunity = 12;
        for (const s of steps) {
          apply(sim, s);
          const { items, albums } = sim.admin.snapshot();
          for (const id of COMMUNITIES) {
            const own = albums.filter((a) => a.ownerId === -id);
            for (const albumId of [0, ...own.map((a) => a.id)]) {
              const got = sim.call(id, 'market.get', {
                owner_id: -id,
                album_id: albumId,
                count: 100,
              }).response as { count: number; items: Array<{ id: number }> };
              expect({ count: got.count, ids: got.items.map((i) => i.id) }).toEqual(
                scanned(items, id, albumId),
              );
            }
            const listed = sim.call(id, 'market.getAlbums', { owner_id: -id }).response as {
              items: Array<{ id: number; count: number }>;
            };
            expect(listed.items.map((a) => [a.id, a.count])).toEqual(
              own.map((a) => [a.id, scanned(items, id, a.id).count]),
            );
            // The limit counts live items of the community only.
            const full = scanned(items, id, 0).count >= 12;
            const added = sim.call(id, 'market.add', goodItem(-id)) as Loose;
            expect(added.error?.error_code ?? null).toBe(full ? 1405 : null);
            if (!full)
              sim.call(id, 'market.delete', {
                owner_id: -id,
                item_id: added.response.market_item_id,
              });
          }
        }
      }),
      { seed, numRuns: 60 },
    );
  });
});
