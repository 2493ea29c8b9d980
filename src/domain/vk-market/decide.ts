import { fieldChanges, indexById } from '../catalog/diff.js';
import type { FieldChange } from '../catalog/events.js';
import { DomainError, type DecideContext, type Decider } from '../shared/decider.js';
import {
  OBSERVED_ITEMS_PER_EVENT,
  type VkAlbum,
  type VkAlbumField,
  type VkItem,
  type VkItemField,
  type VkMarketEvent,
} from './events.js';
import { evolveVkMarket, initialVkMarketState, type VkMarketState } from './state.js';

/**
 * A complete fetch of the user's VK market (all `market.getAlbums` and `market.get` pages).
 * `deleted` may be omitted: VK only sends it for items in the removed state.
 */
export interface RecordVkMarketSnapshot {
  type: 'RecordVkMarketSnapshot';
  userId: string;
  albums: VkAlbum[];
  items: (Omit<VkItem, 'deleted'> & { deleted?: boolean })[];
  /**
   * ISO time the fetch began reading. When given, the snapshot is closed by VkMarketFetched,
   * and a snapshot that began before the last recorded one is stale and records nothing (two
   * fetches finishing out of order must not turn the observation back).
   */
  startedAt?: string;
}

export type VkMarketCommand = RecordVkMarketSnapshot;

const ALBUM_FIELDS: readonly VkAlbumField[] = ['title'];
const ITEM_FIELDS: readonly VkItemField[] = [
  'title',
  'description',
  'priceKopecks',
  'availability',
  'sku',
  'stockAmount',
  'albumIds',
  'deleted',
  'mainPhotoId',
];

function normalizeItem(item: RecordVkMarketSnapshot['items'][number]): VkItem {
  return {
    ...item,
    albumIds: [...item.albumIds].sort((a, b) => a - b),
    deleted: item.deleted ?? false,
  };
}

function refuseDuplicate(kind: string) {
  return (id: number): never => {
    throw new DomainError('vk_snapshot_duplicate_id', `В снимке VK дважды ${kind} ${id}.`);
  };
}

function diff<T extends { id: number }, F extends Exclude<keyof T, 'id'> & string>(
  before: ReadonlyMap<number, T>,
  after: ReadonlyMap<number, T>,
  fields: readonly F[],
  on: {
    /** the values seen for the first time, in id order */
    observed(values: T[]): VkMarketEvent[];
    changed(id: number, changes: FieldChange<F>[]): VkMarketEvent;
    disappeared(id: number): VkMarketEvent;
  },
): VkMarketEvent[] {
  const ids = [...new Set([...before.keys(), ...after.keys()])].sort((a, b) => a - b);
  const events: VkMarketEvent[] = [];
  const observed: T[] = [];
  for (const id of ids) {
    const old = before.get(id);
    const now = after.get(id);
    if (!old) observed.push(now!);
    else if (!now) events.push(on.disappeared(id));
    else {
      const changes = fieldChanges(old, now, fields);
      if (changes.length > 0) events.push(on.changed(id, changes));
    }
  }
  return [...on.observed(observed), ...events];
}

/** Newly seen items, OBSERVED_ITEMS_PER_EVENT to an event. */
function itemsObserved(userId: string, items: VkItem[]): VkMarketEvent[] {
  const events: VkMarketEvent[] = [];
  for (let i = 0; i < items.length; i += OBSERVED_ITEMS_PER_EVENT) {
    const part = items.slice(i, i + OBSERVED_ITEMS_PER_EVENT);
    events.push({ type: 'VkItemsObserved', data: { userId, items: part } });
  }
  return events;
}

/**
 * Albums before items; of each, the newly seen first (items in VkItemsObserved batches), then
 * changes and disappearances, all in id order. `[]` when VK shows what was seen last time.
 */
export function decideVkMarket(
  command: VkMarketCommand,
  state: VkMarketState,
  _ctx?: DecideContext,
): VkMarketEvent[] {
  const { userId, startedAt } = command;
  if (startedAt !== undefined && state.fetchedAt !== null) {
    if (Date.parse(startedAt) <= state.fetchedAt) return [];
  }
  const albums = indexById(command.albums, refuseDuplicate('подборка'));
  const items = indexById(command.items.map(normalizeItem), refuseDuplicate('товар'));
  return [
    ...diff(state.albums, albums, ALBUM_FIELDS, {
      observed: (found) =>
        found.map((album) => ({ type: 'VkAlbumObserved', data: { userId, album } })),
      changed: (albumId, changes) => ({
        type: 'VkAlbumChanged',
        data: { userId, albumId, changes },
      }),
      disappeared: (albumId) => ({ type: 'VkAlbumDisappeared', data: { userId, albumId } }),
    }),
    ...diff(state.items, items, ITEM_FIELDS, {
      observed: (found) => itemsObserved(userId, found),
      changed: (itemId, changes) => ({ type: 'VkItemChanged', data: { userId, itemId, changes } }),
      disappeared: (itemId) => ({ type: 'VkItemDisappeared', data: { userId, itemId } }),
    }),
    ...(startedAt !== undefined
      ? [{ type: 'VkMarketFetched' as const, data: { userId, startedAt } }]
      : []),
  ];
}

export const vkMarketDecider: Decider<VkMarketCommand, VkMarketEvent, VkMarketState> = {
  initialState: initialVkMarketState,
  evolve: evolveVkMarket,
  decide: decideVkMarket,
};
