import type { Request } from 'express';
import { queryString } from '../forms.js';
import type { StoreContext } from './context.js';
import {
  formatQuantity,
  formatRoubles,
  VK_STATE_LABELS,
  vkItemLink,
  vkState,
  type VkState,
} from './format.js';
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
  vkLabel: string;
  vkLink: string | null;
}

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
      inScope: ctx.compiled.scope.product({
        storeId,
        groupId: p.group_id,
        groupAncestors: group?.ancestors ?? [],
        productId: p.product_id,
      }),
      vkState: state,
      vkLabel: VK_STATE_LABELS[state],
      vkLink: vkItemLink(vkGroupId, p.vk_item_id, state),
    };
  });
}
