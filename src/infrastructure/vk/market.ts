import { executeBatch, MAX_EXECUTE_CALLS } from './execute.js';
import type { VkCall, VkParams } from './params.js';
import type {
  VkGroup,
  VkItemFields,
  VkList,
  VkMarketAlbum,
  VkMarketItem,
  VkUser,
} from './types.js';
import type { VkClient } from './vk-client.js';

export const ITEMS_PAGE = 200;
export const ALBUMS_PAGE = 100;

const call = (method: string, params: VkParams): VkCall => ({ method, params });
const fields = (f: Partial<VkItemFields>): VkParams => ({ ...f });

/** Market calls as data, to send alone or in a batch. `ownerId` is minus the community id. */
export const vkCalls = {
  get: (ownerId: number, offset = 0, count = ITEMS_PAGE, albumId?: number) =>
    call('market.get', { owner_id: ownerId, offset, count, album_id: albumId, extended: 1 }),
  getAlbums: (ownerId: number, offset = 0, count = ALBUMS_PAGE) =>
    call('market.getAlbums', { owner_id: ownerId, offset, count }),
  addAlbum: (ownerId: number, title: string) =>
    call('market.addAlbum', { owner_id: ownerId, title }),
  editAlbum: (ownerId: number, albumId: number, title: string) =>
    call('market.editAlbum', { owner_id: ownerId, album_id: albumId, title }),
  deleteAlbum: (ownerId: number, albumId: number) =>
    call('market.deleteAlbum', { owner_id: ownerId, album_id: albumId }),
  add: (ownerId: number, item: VkItemFields) =>
    call('market.add', { owner_id: ownerId, ...fields(item) }),
  edit: (ownerId: number, itemId: number, item: Partial<VkItemFields>) =>
    call('market.edit', { owner_id: ownerId, item_id: itemId, ...fields(item) }),
  delete: (ownerId: number, itemId: number) =>
    call('market.delete', { owner_id: ownerId, item_id: itemId }),
  restore: (ownerId: number, itemId: number) =>
    call('market.restore', { owner_id: ownerId, item_id: itemId }),
  addToAlbum: (ownerId: number, itemIds: number[], albumIds: number[]) =>
    call('market.addToAlbum', { owner_id: ownerId, item_ids: itemIds, album_ids: albumIds }),
  removeFromAlbum: (ownerId: number, itemId: number, albumIds: number[]) =>
    call('market.removeFromAlbum', { owner_id: ownerId, item_id: itemId, album_ids: albumIds }),
};

/** Typed Market, groups and users methods over one client. */
export class VkMarketApi {
  constructor(readonly client: VkClient) {}

  /** Every item (extended: album ids and photos): one page alone, the rest 25 pages per execute. */
  async getAllItems(ownerId: number, albumId?: number): Promise<VkMarketItem[]> {
    const first = await this.client.call<VkList<VkMarketItem>>(
      'market.get',
      vkCalls.get(ownerId, 0, ITEMS_PAGE, albumId).params,
    );
    const rest: VkCall[] = [];
    for (let offset = ITEMS_PAGE; offset < first.count; offset += ITEMS_PAGE) {
      rest.push(vkCalls.get(ownerId, offset, ITEMS_PAGE, albumId));
    }
    const pages = await this.pages<VkMarketItem>(rest);
    return dedupe([...first.items, ...pages]);
  }

  async getAllAlbums(ownerId: number): Promise<VkMarketAlbum[]> {
    const first = await this.client.call<VkList<VkMarketAlbum>>(
      'market.getAlbums',
      vkCalls.getAlbums(ownerId).params,
    );
    const rest: VkCall[] = [];
    for (let offset = ALBUMS_PAGE; offset < first.count; offset += ALBUMS_PAGE) {
      rest.push(vkCalls.getAlbums(ownerId, offset));
    }
    return dedupe([...first.items, ...(await this.pages<VkMarketAlbum>(rest))]);
  }

  private async pages<T>(calls: VkCall[]): Promise<T[]> {
    if (calls.length === 0) return [];
    const out: T[] = [];
    for (let i = 0; i < calls.length; i += MAX_EXECUTE_CALLS) {
      const results = await executeBatch(this.client, calls.slice(i, i + MAX_EXECUTE_CALLS));
      for (const r of results) {
        if (!r.ok) throw r.error;
        out.push(...(r.value as VkList<T>).items);
      }
    }
    return out;
  }

  private run<T>(c: VkCall): Promise<T> {
    return this.client.call<T>(c.method, c.params);
  }

  async addAlbum(ownerId: number, title: string): Promise<number> {
    return (await this.run<{ market_album_id: number }>(vkCalls.addAlbum(ownerId, title)))
      .market_album_id;
  }
  editAlbum = (ownerId: number, albumId: number, title: string) =>
    this.run<1>(vkCalls.editAlbum(ownerId, albumId, title));
  deleteAlbum = (ownerId: number, albumId: number) =>
    this.run<1>(vkCalls.deleteAlbum(ownerId, albumId));

  async add(ownerId: number, item: VkItemFields): Promise<number> {
    return (await this.run<{ market_item_id: number }>(vkCalls.add(ownerId, item))).market_item_id;
  }
  edit = (ownerId: number, itemId: number, item: Partial<VkItemFields>) =>
    this.run<1>(vkCalls.edit(ownerId, itemId, item));
  delete = (ownerId: number, itemId: number) => this.run<1>(vkCalls.delete(ownerId, itemId));
  restore = (ownerId: number, itemId: number) => this.run<1>(vkCalls.restore(ownerId, itemId));
  addToAlbum = (ownerId: number, itemIds: number[], albumIds: number[]) =>
    this.run<1>(vkCalls.addToAlbum(ownerId, itemIds, albumIds));
  removeFromAlbum = (ownerId: number, itemId: number, albumIds: number[]) =>
    this.run<1>(vkCalls.removeFromAlbum(ownerId, itemId, albumIds));

  async getGroup(groupId: number): Promise<VkGroup> {
    const answer = await this.client.call<{ groups: VkGroup[] }>('groups.getById', {
      group_id: groupId,
      fields: ['market'],
    });
    const group = answer.groups[0];
    if (!group) throw new Error(`VK groups.getById: community ${groupId} not in the answer`);
    return group;
  }

  async getCurrentUser(): Promise<VkUser> {
    const [user] = await this.client.call<VkUser[]>('users.get', {});
    if (!user) throw new Error('VK users.get: empty answer');
    return user;
  }

  /** The communities the token's user administers, for choosing which one to connect. */
  async getAdminGroups(): Promise<VkGroup[]> {
    const answer = await this.client.call<VkList<VkGroup>>('groups.get', {
      filter: 'admin',
      extended: 1,
      count: 1000,
    });
    return answer.items;
  }
}

/** Pages can overlap when items are added during the walk; keep the first copy. */
function dedupe<T extends { id: number }>(list: T[]): T[] {
  const byId = new Map<number, T>();
  for (const x of list) if (!byId.has(x.id)) byId.set(x.id, x);
  return [...byId.values()];
}
