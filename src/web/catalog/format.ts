/** Display formats of the catalog pages and the CSV export. */

const GROUPED = /\B(?=(\d{3})+(?!\d))/g;

/** 123450 → "1 234,50 ₽" (a no-break space between thousands, as Russian text sets them). */
export function formatRoubles(kopecks: number | string): string {
  return `${formatRoublesPlain(kopecks, '\u00a0')}\u00a0₽`;
}

/** 123450 → "1234,50": what Russian Excel reads as a number. */
export function formatRoublesPlain(kopecks: number | string, thousands = ''): string {
  const value = BigInt(kopecks);
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const whole = (abs / 100n).toString().replace(GROUPED, thousands);
  const cents = (abs % 100n).toString().padStart(2, '0');
  return `${negative ? '-' : ''}${whole},${cents}`;
}

/** Thousandths of a unit → "1,5" (no trailing zeros). */
export function formatQuantity(milli: number | string): string {
  // Integer arithmetic rather than toLocaleString, whose Intl setup dominated a page's render.
  const value = Math.trunc(Number(milli));
  const abs = Math.abs(value);
  const fraction = String(abs % 1000)
    .padStart(3, '0')
    .replace(/0+$/, '');
  return `${value < 0 ? '-' : ''}${Math.floor(abs / 1000)}${fraction ? `,${fraction}` : ''}`;
}

export type VkState = 'none' | 'pending' | 'active' | 'hidden' | 'deleted';

export const VK_STATE_LABELS: Record<VkState, string> = {
  none: 'не опубликован',
  pending: 'создаётся',
  active: 'опубликован',
  hidden: 'скрыт',
  deleted: 'удалён',
};

export function vkState(state: string | null | undefined): VkState {
  return state === 'pending' || state === 'active' || state === 'hidden' || state === 'deleted'
    ? state
    : 'none';
}

/** The item's page in the community's market; null while there is no item (or it is deleted). */
export function vkItemLink(
  groupId: number | string | null | undefined,
  itemId: number | string | null | undefined,
  state: VkState,
): string | null {
  if (groupId == null || itemId == null || state === 'deleted' || state === 'none') return null;
  return `https://vk.com/market-${groupId}?w=product-${groupId}_${itemId}`;
}
