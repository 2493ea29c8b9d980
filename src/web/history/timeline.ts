import {
  comparePositions,
  type EventStore,
  type RecordedEvent,
} from '../../application/ports/event-store.js';
import {
  storeCatalogStream,
  type FieldChange,
  type StoreCatalogEvent,
} from '../../domain/catalog/events.js';
import {
  mirrorStream,
  type MirrorEvent,
  type ReassertedField,
} from '../../domain/mirror/events.js';
import { syncConfigStream, type SyncConfigEvent } from '../../domain/sync-config/events.js';
import {
  DEFAULT_TIME_ZONE,
  formatDateTime,
  formatNumber,
  formatQuantity,
  formatRoubles,
} from '../shared/format.js';
import { ownerError } from '../shared/owner-errors.js';

export type EntrySource = 'evotor' | 'vk' | 'config';

export interface TimelineEntry {
  at: Date;
  source: EntrySource;
  title: string;
  details: string[];
  failed: boolean;
  /** for "when was this price pushed" */
  pushedPriceKopecks: number | null;
}

const FIELD_LABELS: Record<string, string> = {
  name: 'Название',
  priceKopecks: 'Цена',
  costPriceKopecks: 'Себестоимость',
  quantityMilli: 'Остаток',
  measureName: 'Единица',
  tax: 'НДС',
  allowToSell: 'Продажа разрешена',
  description: 'Описание',
  articleNumber: 'Артикул',
  code: 'Код',
  barcodes: 'Штрихкоды',
  groupId: 'Группа',
  productType: 'Тип',
  sku: 'Артикул VK (sku)',
  categoryId: 'Категория VK',
  stockAmount: 'Остаток в VK',
  available: 'Доступен в VK',
  albumKey: 'Подборка',
  photo: 'Главное фото',
  photos: 'Фото',
  images: 'Фото в Эвотор',
};

export const rubles = (kopecks: number) => formatRoubles(Math.round(kopecks));

function show(field: string, value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (/Kopecks$/.test(field) && typeof value === 'number') return rubles(value);
  if (field === 'quantityMilli' && typeof value === 'number') return formatQuantity(value);
  if (typeof value === 'boolean') return value ? 'да' : 'нет';
  if (field === 'images' && Array.isArray(value)) return value.length ? `${value.length} шт.` : '—';
  if (field === 'photos' && Array.isArray(value))
    return value.map((h) => String(h).slice(0, 8)).join(', ') || 'стандартное';
  if (Array.isArray(value)) return value.map(String).join(', ') || '—';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

const changeLines = (changes: FieldChange[]) =>
  changes.map(
    (c) => `${FIELD_LABELS[c.field] ?? c.field}: ${show(c.field, c.from)} → ${show(c.field, c.to)}`,
  );

const at = (e: RecordedEvent) => {
  const occurred = new Date(String(e.metadata.occurredAt ?? ''));
  return Number.isNaN(occurred.getTime()) ? e.created : occurred;
};

function evotorEntry(e: StoreCatalogEvent, productId: string) {
  switch (e.type) {
    case 'ProductAdded':
      if (e.data.product.id !== productId) return null;
      return {
        title: 'Появился в Эвотор',
        details: [`${e.data.product.name}, ${rubles(e.data.product.priceKopecks)}`],
      };
    case 'ProductChanged':
      if (e.data.productId !== productId) return null;
      return { title: 'Изменён в Эвотор', details: changeLines(e.data.changes) };
    case 'ProductRemoved':
      if (e.data.productId !== productId) return null;
      return { title: 'Удалён в Эвотор', details: [] };
    case 'GroupAdded':
    case 'GroupChanged':
    case 'GroupRemoved':
    case 'CatalogFetched':
    case 'CatalogNotified':
    case 'ReceiptRecorded':
      return null;
  }
}

/** Why a field was sent again: VK showed it changed by hand, and EvoSync owns it. */
const reassertedLines = (reasserted: ReassertedField[]) =>
  reasserted.map(
    (r) =>
      `${FIELD_LABELS[r.field] ?? r.field}: в VK изменено вручную (было ${show(r.field, r.seen)}) — ` +
      'возвращено, потому что этим полем управляет EvoSync',
  );

function vkEntry(e: MirrorEvent, productId: string, tokenKind: string | null, timeZone: string) {
  if (!('productId' in e.data) || e.data.productId !== productId) return null;
  switch (e.type) {
    case 'VkItemCreateRequested':
      return e.data.replacesItemId !== undefined
        ? {
            title: `Товар ${e.data.replacesItemId} удалён в VK вручную — создаётся заново`,
            details: [],
          }
        : { title: 'Отправлен на создание в VK', details: [] };
    case 'VkItemCreated':
      return {
        title: `Создан в VK (товар ${e.data.itemId})`,
        details: [`${e.data.pushed.name}, ${rubles(e.data.pushed.priceKopecks)}`],
        pushed: e.data.pushed.priceKopecks,
      };
    case 'VkItemAdopted':
      return { title: `Найден в VK по артикулу (товар ${e.data.itemId})`, details: [] };
    case 'VkItemCreateAbandoned':
      return { title: 'Создание отменено: товар больше не выгружается', details: [] };
    case 'VkItemUpdated': {
      const price = e.data.fields.find((f) => f.field === 'priceKopecks');
      const reasserted = e.data.reasserted ?? [];
      return {
        title: reasserted.length > 0 ? 'Исправлен в VK после ручной правки' : 'Обновлён в VK',
        details: [...changeLines(e.data.fields), ...reassertedLines(reasserted)],
        pushed: typeof price?.to === 'number' ? price.to : null,
      };
    }
    case 'VkItemHidden':
      return {
        title: e.data.reasserted
          ? 'Снова скрыт в VK (был показан вручную, но товар вне фильтров)'
          : 'Скрыт в VK (вне фильтров синхронизации)',
        details: [],
      };
    case 'VkItemDeleted':
      return { title: 'Удалён из VK', details: [] };
    case 'VkItemRestored':
      return { title: 'Снова показан в VK', details: [] };
    case 'VkItemAddedToAlbum':
      return {
        title: e.data.reasserted
          ? `Возвращён в подборку ${e.data.albumId} (в VK убран из неё вручную)`
          : `Добавлен в подборку ${e.data.albumId}`,
        details: [],
      };
    case 'VkItemRemovedFromAlbum':
      return { title: `Убран из подборки ${e.data.albumId}`, details: [] };
    case 'VkCommandFailed': {
      const { attempt, nextRetryAt } = e.data;
      const retry =
        attempt === undefined
          ? []
          : [
              nextRetryAt
                ? `Попытка ${attempt}; следующая — ${formatDateTime(nextRetryAt, timeZone)}`
                : `Попытка ${attempt}; следующая — при ближайшей плановой синхронизации`,
            ];
      const { errorCode: code, message, method } = e.data;
      const owner = ownerError({ service: 'vk', code, message, method, tokenKind });
      return {
        title: `Ошибка VK: ${owner.reason}`,
        details: [owner.action, ...retry],
        failed: true,
      };
    }
    case 'VkPhotoUploaded':
      return { title: 'Фото из Эвотор загружено в VK', details: [`фото ${e.data.photoId}`] };
    case 'VkPhotoFailed':
      return {
        title: e.data.stage === 'download' ? 'Фото не скачалось из Эвотор' : 'VK не принял фото',
        details: [e.data.message, 'Остальные поля товара отправлены; фото попробуем снова.'],
        failed: true,
      };
    case 'VkAlbumCreateRequested':
    case 'VkAlbumCreated':
    case 'VkAlbumAdopted':
    case 'VkAlbumRenamed':
    case 'VkAlbumLost':
    case 'VkAlbumCreateAbandoned':
    case 'VkFailureCleared':
    case 'DefaultPhotoUploaded':
    case 'VkPushPaused':
    case 'VkPushResumed':
    case 'VkPushStarted':
    case 'VkPushFinished':
    case 'VkPushCompleted':
      return null;
  }
}

/**
 * The product's story from the three streams that shape what VK shows: its Evotor changes, the
 * pushes of its VK item and the price multiplier changes, in the order the store recorded them
 * (global positions compare across streams).
 */
export async function productTimeline(
  store: EventStore,
  userId: string,
  storeId: string,
  productId: string,
  /** how the VK connection signs its calls, so a failure names the right key */
  tokenKind: string | null = null,
  /** the owner's zone, for the times the entries mention */
  timeZone = DEFAULT_TIME_ZONE,
): Promise<TimelineEntry[]> {
  const [catalog, mirror, config] = await Promise.all([
    store.readStream(storeCatalogStream(userId, storeId)),
    store.readStream(mirrorStream(userId)),
    store.readStream(syncConfigStream(userId)),
  ]);
  const entries: Array<TimelineEntry & { event: RecordedEvent }> = [];
  const add = (
    event: RecordedEvent,
    source: EntrySource,
    found: { title: string; details: string[]; failed?: boolean; pushed?: number | null } | null,
  ) => {
    if (!found) return;
    entries.push({
      event,
      at: at(event),
      source,
      title: found.title,
      details: found.details,
      failed: found.failed ?? false,
      pushedPriceKopecks: found.pushed ?? null,
    });
  };
  for (const e of catalog)
    add(e, 'evotor', evotorEntry(e as unknown as StoreCatalogEvent, productId));
  for (const e of mirror)
    add(e, 'vk', vkEntry(e as unknown as MirrorEvent, productId, tokenKind, timeZone));
  for (const e of config) {
    const c = e as unknown as SyncConfigEvent;
    if (c.type !== 'PriceMultiplierChanged') continue;
    add(e, 'config', {
      title: 'Изменён множитель цены',
      details: [`${formatNumber(c.data.from)} → ${formatNumber(c.data.to)}`],
    });
  }
  entries.sort((a, b) => comparePositions(a.event.position, b.event.position));
  return entries.map(({ event: _event, ...entry }) => entry);
}
