/**
 * Display formats of every page and the CSV export: Russian number style (a no-break space
 * between thousands, a decimal comma) and one labelled time zone. Views get them as `format`
 * (see `viewFormat`, put into the app's locals), so no view formats on its own.
 */

import { DEFAULT_OWNER_TIME_ZONE, OWNER_TIME_ZONES } from '../../domain/users/time-zones.js';

const GROUPED = /\B(?=(\d{3})+(?!\d))/g;
const NBSP = '\u00a0';

/** 17104 → "17 104"; a fraction keeps its digits after a decimal comma ("1 234,5"). */
export function formatNumber(value: number | string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  const text = String(value).trim();
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return text;
  const [, sign, whole, fraction] = match;
  return `${sign}${whole!.replace(GROUPED, NBSP)}${fraction ? `,${fraction}` : ''}`;
}

const RUSSIAN_PLURAL = new Intl.PluralRules('ru-RU');

/**
 * The Russian word form for a count, by CLDR's rules: `plural(2593, ['товар', 'товара',
 * 'товаров'])` → "товара" (one, few, many; fractions take "few").
 */
export function plural(n: number, [one, few, many]: readonly [string, string, string]): string {
  const form = RUSSIAN_PLURAL.select(n);
  return form === 'one' ? one : form === 'few' || form === 'other' ? few : many;
}

/** The zone pages show times in when the owner has chosen none. */
export const DEFAULT_TIME_ZONE = DEFAULT_OWNER_TIME_ZONE;

/** How a zone is labelled beside a time; a zone without a Russian short name shows its own. */
const ZONE_LABELS: Record<string, string> = {
  ...Object.fromEntries(OWNER_TIME_ZONES.map((z) => [z.id, z.short])),
  'Asia/Novosibirsk': 'МСК+4',
  UTC: 'UTC',
};

export const zoneLabel = (timeZone: string): string => ZONE_LABELS[timeZone] ?? timeZone;

// One formatter per zone and style: building an Intl formatter costs more than using it.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string, withTime: boolean, seconds: boolean): Intl.DateTimeFormat {
  const key = `${timeZone}|${withTime}|${seconds}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('ru-RU', {
      timeZone,
      day: '2-digit',
      month: '2-digit',
      year: 'numeric',
      ...(withTime
        ? { hour: '2-digit', minute: '2-digit', ...(seconds ? { second: '2-digit' } : {}) }
        : {}),
    });
    formatters.set(key, f);
  }
  return f;
}

type When = Date | string | number | null | undefined;

const toDate = (when: When): Date | null => {
  if (when === null || when === undefined || when === '') return null;
  const date = when instanceof Date ? when : new Date(when);
  return Number.isNaN(date.getTime()) ? null : date;
};

/** "28.11.2026, 07:05 МСК" (seconds on request); "—" for no time. */
export function formatDateTime(
  when: When,
  timeZone = DEFAULT_TIME_ZONE,
  options: { seconds?: boolean } = {},
): string {
  const date = toDate(when);
  if (!date) return '—';
  return `${formatter(timeZone, true, options.seconds ?? false).format(date)}${NBSP}${zoneLabel(timeZone)}`;
}

/** "28.11.2026" in the zone (a date has no label: it reads the same in any nearby zone). */
export function formatDate(when: When, timeZone = DEFAULT_TIME_ZONE): string {
  const date = toDate(when);
  return date ? formatter(timeZone, false, false).format(date) : '—';
}

/** 123450 → "1 234,50 ₽" (a no-break space between thousands, as Russian text sets them). */
export function formatRoubles(kopecks: number | string): string {
  return `${formatRoublesPlain(kopecks, NBSP)}${NBSP}₽`;
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

/** What views call as `format.…`: every formatter bound to the owner's time zone. */
function buildViewFormat(timeZone: string) {
  return {
    timeZone,
    zone: zoneLabel(timeZone),
    number: formatNumber,
    roubles: formatRoubles,
    quantity: formatQuantity,
    dateTime: (when: When) => formatDateTime(when, timeZone),
    dateTimeSeconds: (when: When) => formatDateTime(when, timeZone, { seconds: true }),
    date: (when: When) => formatDate(when, timeZone),
  };
}

export type ViewFormat = ReturnType<typeof buildViewFormat>;

// One per zone: a signed-in request picks its user's (see currentUser) without building one.
const viewFormats = new Map<string, ViewFormat>();
export function viewFormat(timeZone = DEFAULT_TIME_ZONE): ViewFormat {
  let f = viewFormats.get(timeZone);
  if (!f) viewFormats.set(timeZone, (f = buildViewFormat(timeZone)));
  return f;
}

/**
 * The format a response renders with: the signed-in user's zone (set by currentUser in the
 * response's locals), else the site's (the app's locals). For code that formats outside a view.
 */
export function pageFormat(res: {
  locals: Record<string, unknown>;
  app: { locals: Record<string, unknown> };
}): ViewFormat {
  return (res.locals.format ?? res.app.locals.format ?? viewFormat()) as ViewFormat;
}
