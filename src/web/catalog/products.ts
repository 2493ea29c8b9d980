import type { Request } from 'express';
import { queryString } from '../forms.js';
import type { StoreContext } from './context.js';
import {
  formatQuantity,
  formatRoubles,
  vkItemLink,
  vkState,
  type VkState,
} from '../shared/format.js';
import {
  ownerErrorText,
  productHistoryHref,
  vkItemError,
  type OwnerError,
} from '../shared/owner-errors.js';
import {
  SORTS,
  type ProductQuery,
  type ProductRow,
  type SortDir,
  type SortKey,
} from './product-queries.js';
import { RULE_LABELS, withSubgroups, type RuleState } from './scope.js';

export interface ProductFilters {
  group: string;
  q: string;
  sort: SortKey;
  dir: SortDir;
}

export function productFilters(req: Request): ProductFilters {
  const sort = queryString(req, 'sort');
  const dir = queryString(req, 'dir');
  return {
    group: queryString(req, 'group'),
    q: queryString(req, 'q'),
    sort: sort in SORTS ? (sort as SortKey) : 'name',
    dir: dir === 'desc' ? 'desc' : 'asc',
  };
}

export function productQuery(userId: string, ctx: StoreContext, f: ProductFilters): ProductQuery {
  return {
    userId,
    storeId: ctx.store.store_id,
    groupIds: f.group === '' ? null : withSubgroups(ctx.tree, f.group),
    q: f.q,
    sort: f.sort,
    dir: f.dir,
  };
}

export interface ProductView {
  id: string;
  name: string;
  article: string;
  barcodes: string[];
  groupName: string;
  price: string;
  priceKopecks: string;
  quantity: string;
  measure: string;
  allowToSell: boolean;
  rule: RuleState;
  ruleLabel: string;
  inScope: boolean;
  vkState: VkState;
  vkLink: string | null;
  status: ProductStatus;
  statusLabel: string;
  /** the owner's reason while the product's last VK call failed */
  error: OwnerError | null;
  /** when the mirror last recorded something for it (null: never pushed) */
  syncedAt: Date | null;
  historyHref: string;
}

/**
 * Where a product stands with VK, for the owner: shown, hidden, failing (with the reason),
 * waiting for the push (in scope, not there yet) or not synced at all (out of scope).
 */
export type ProductStatus = 'in_vk' | 'hidden' | 'error' | 'waiting' | 'out';

export const STATUS_LABELS: Record<ProductStatus, string> = {
  in_vk: 'в VK',
  hidden: 'скрыт',
  error: 'ошибка',
  waiting: 'ожидает',
  out: 'не выгружается',
};

function statusOf(state: VkState, failing: boolean, inScope: boolean): ProductStatus {
  if (failing) return 'error';
  if (state === 'active') return 'in_vk';
  if (state === 'hidden') return 'hidden';
  return inScope ? 'waiting' : 'out';
}

/** The status as one line of text (the CSV's cell): «ошибка: VK отклонил …». */
export const statusText = (p: ProductView): string =>
  p.error ? `${p.statusLabel}: ${ownerErrorText({ ...p.error, product: null })}` : p.statusLabel;

function parseBarcodes(json: string): string[] {
  try {
    const list: unknown = JSON.parse(json);
    return Array.isArray(list) ? list.map(String) : [];
  } catch {
    return [];
  }
}

/** Rows as the page and the CSV show them; the scope mark is the domain's answer. */
export function productViews(
  rows: readonly ProductRow[],
  ctx: StoreContext,
  vkGroupId: number | null,
): ProductView[] {
  const groups = new Map(ctx.tree.map((g) => [g.group_id, g]));
  const storeId = ctx.store.store_id;
  return rows.map((p) => {
    const group = p.group_id === null ? undefined : groups.get(p.group_id);
    const rule = ctx.compiled.ruleOf('product', p.product_id);
    const state = vkState(p.vk_state);
    const inScope = ctx.compiled.scope.product({
      storeId,
      groupId: p.group_id,
      groupAncestors: group?.ancestors ?? [],
      productId: p.product_id,
    });
    const error = vkItemError(p.vk_error, ctx.vkTokenKind, {
      name: p.name,
      storeId,
      productId: p.product_id,
    });
    const status = statusOf(state, error !== null, inScope);
    return {
      id: p.product_id,
      name: p.name,
      article: p.article_number,
      barcodes: parseBarcodes(p.barcodes),
      groupName: group?.name ?? '',
      price: formatRoubles(p.price_kopecks),
      priceKopecks: String(p.price_kopecks),
      quantity: formatQuantity(p.quantity_milli),
      measure: p.measure_name,
      allowToSell: Number(p.allow_to_sell) === 1,
      rule,
      ruleLabel: RULE_LABELS[rule],
      inScope,
      vkState: state,
      vkLink: vkItemLink(vkGroupId, p.vk_item_id, state),
      status,
      statusLabel: STATUS_LABELS[status],
      error,
      syncedAt: p.vk_synced_at ? new Date(p.vk_synced_at) : null,
      historyHref: productHistoryHref(storeId, p.product_id),
    };
  });
}
