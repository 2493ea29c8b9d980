import { vkAccount, vkAccountStream } from '../../domain/connections/vk-account.js';
import { vkMarketDecider } from '../../domain/vk-market/decide.js';
import type { VkAvailability, VkMarketEvent } from '../../domain/vk-market/events.js';
import { vkMarketStream } from '../../domain/vk-market/events.js';
import type { CommandHandler } from '../commands/command-handler.js';
import type { Position } from '../ports/event-store.js';
import { ConnectionAuthError, type VkMarketGateway } from './ports.js';

/**
 * Half of EventStoreDB's default largest append (1 MiB): the 1,000 single-item events a part
 * held before VkItemsObserved came to ~0.5 MB.
 */
export const VK_FETCH_BYTES_PER_APPEND = 512 * 1024;

/**
 * Fetches the user's VK market (all albums and items) and records what changed there since the
 * last fetch: the drift the mirror saga reacts to. Safe to run twice.
 */
export async function fetchVkMarket(
  deps: { commands: CommandHandler; gateway: VkMarketGateway; clock?: () => Date },
  userId: string,
  correlationId: string,
): Promise<{ albums: number; items: number; changes: number; position: Position | null }> {
  const { commands, gateway } = deps;
  // The first fetch after a large push observes thousands of items: appended in parts, by
  // size too, as a VkItemsObserved of 100 items weighs as much as 100 changes.
  const meta = {
    actor: 'system',
    correlationId,
    maxEventsPerAppend: 1000,
    maxBytesPerAppend: VK_FETCH_BYTES_PER_APPEND,
  };
  const health = (healthy: boolean, reason: string | null) =>
    commands.handle(
      vkAccount,
      vkAccountStream(userId),
      { type: 'RecordVkHealth', userId, healthy, reason },
      meta,
    );

  // Taken before the first request: everything read afterwards is VK as of at least this time.
  const startedAt = (deps.clock?.() ?? new Date()).toISOString();
  let albums, items;
  try {
    [albums, items] = await Promise.all([gateway.fetchAlbums(), gateway.fetchItems()]);
  } catch (error) {
    if (error instanceof ConnectionAuthError) await health(false, error.message);
    throw error;
  }
  const result = await commands.handle(
    vkMarketDecider,
    vkMarketStream(userId),
    {
      type: 'RecordVkMarketSnapshot',
      userId,
      startedAt,
      albums,
      items: items.map((item) => ({
        id: item.id,
        title: item.title,
        description: item.description,
        priceKopecks: item.priceKopecks,
        availability: item.availability as VkAvailability,
        sku: item.sku ?? '',
        stockAmount: item.stockAmount ?? 0,
        albumIds: item.albumIds,
        ...(item.mainPhotoId !== undefined ? { mainPhotoId: item.mainPhotoId } : {}),
        deleted: item.availability === 1,
      })),
    },
    meta,
  );
  await health(true, null);
  return {
    albums: albums.length,
    items: items.length,
    changes: result.events.reduce((n, e) => n + changesIn(e), 0),
    position: result.position,
  };
}

/** Albums and items an event says were seen, changed or gone: a VkItemsObserved, its items. */
function changesIn(event: VkMarketEvent): number {
  if (event.type === 'VkMarketFetched') return 0;
  return event.type === 'VkItemsObserved' ? event.data.items.length : 1;
}
