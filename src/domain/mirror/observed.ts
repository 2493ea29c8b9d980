/**
 * How the planner reads the last VK observation (the vk-market stream) against what EvoSync
 * wrote. The rule: an observation judges an item or album only when the fetch that made it
 * began after EvoSync's last recorded write of that item or album. An older observation may
 * predate the write and show VK as it was before it, so it is ignored: it causes no writes,
 * however different it looks. A judged observation is VK's truth: an item or album missing from
 * it is lost (deleted by hand), a field it shows differently from the desired value was edited
 * by hand and, if EvoSync owns the field, is sent again ("re-asserted").
 */
import type { VkItem } from '../vk-market/events.js';
import type { VkMarketState } from '../vk-market/state.js';
import type { DesiredVkItem } from './desired-item.js';
import type { ReassertedField } from './events.js';

/** Which of the fields the owner may leave to VK EvoSync owns (true) — see sync-config. */
export interface Ownership {
  description: boolean;
  photos: boolean;
}

export const EVOSYNC_OWNS_ALL: Ownership = { description: true, photos: true };

export interface PlanContext {
  /** epoch ms: retries wait for their time */
  now: number;
  /** the last recorded VK observation; null when there is none */
  observed: VkMarketState | null;
  ownership: Ownership;
}

/** The observation, if it is newer than every given write time (null = long ago). */
export function judging(
  ctx: Pick<PlanContext, 'observed'>,
  ...writtenAt: Array<number | null>
): VkMarketState | null {
  const observed = ctx.observed;
  if (!observed || observed.fetchedAt === null) return null;
  for (const at of writtenAt) if (at !== null && observed.fetchedAt <= at) return null;
  return observed;
}

/**
 * The item as a judging observation shows it: the item, `null` when VK lost it, `undefined`
 * when there is no judging observation.
 */
export function seenItem(
  observed: VkMarketState | null,
  itemId: number,
): VkItem | null | undefined {
  if (!observed) return undefined;
  return observed.items.get(itemId) ?? null;
}

/**
 * Owned fields VK shows differently from the desired item (and that are not already being
 * sent as ordinary changes): what a hand edit changed and EvoSync sends again.
 */
export function handEdits(
  seen: VkItem,
  want: DesiredVkItem,
  ownership: Ownership,
  alreadySent: ReadonlySet<string>,
  photoId: number | null,
): ReassertedField[] {
  const checks: Array<[ReassertedField['field'], unknown, unknown]> = [
    ['name', seen.title, want.name],
    ['priceKopecks', seen.priceKopecks, want.priceKopecks],
    ['stockAmount', seen.stockAmount, want.stockAmount],
    ['sku', seen.sku, want.sku],
  ];
  if (ownership.description) checks.push(['description', seen.description, want.description]);
  // The main photo EvoSync sets is its default photo; another one was chosen by hand.
  if (ownership.photos && photoId !== null && seen.mainPhotoId != null)
    checks.push(['photo', seen.mainPhotoId, photoId]);
  const out: ReassertedField[] = [];
  for (const [field, vk, ours] of checks) {
    if (vk !== ours && !alreadySent.has(field)) out.push({ field, seen: vk });
  }
  // Switched off by hand (VK's "removed" availability) while it should be on sale.
  if (seen.deleted) out.push({ field: 'available', seen: false });
  return out;
}
