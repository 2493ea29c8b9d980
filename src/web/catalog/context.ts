import type { Request, Response } from 'express';
import type { Sequelize } from 'sequelize';
import { catalogRules, groupTree, summarizeRules, type CatalogRules } from './scope.js';
import { configRevision, groupsOf, rulesOf, storeWithSettings, type StoreRow } from './queries.js';

export const ACCESS_LABELS: Record<string, string> = {
  ok: 'доступен',
  payment_required: 'приложение не оплачено для этого магазина',
};

export const MODE_SENTENCES = {
  whitelist:
    'Белый список: если включён хотя бы один объект этого типа, синхронизируются только включённые.',
  blacklist: 'Чёрный список: если есть только исключения, синхронизируется всё, кроме исключённых.',
  hierarchy:
    'Магазин → группа → товар: исключённый магазин или группа убирает всё, что в них, что бы ни говорили правила ниже; правила товаров действуют во всех магазинах.',
};

export const userIdOf = (req: Request): string => req.currentUser!.id;

/** What every catalog page shows: the rules (with their summary) and the revision for forms. */
export async function pageBasics(sequelize: Sequelize, userId: string) {
  const [rules, revision] = await Promise.all([
    rulesOf(sequelize, userId),
    configRevision(sequelize, userId),
  ]);
  const compiled = catalogRules(rules);
  return { compiled, revision, summary: summarizeRules(rules), modeSentences: MODE_SENTENCES };
}

export function notFound(res: Response, message = 'Магазин не найден.'): void {
  res.status(404).render('error', { title: 'Не найдено', status: 404, message });
}

export interface StoreContext {
  store: StoreRow;
  compiled: CatalogRules;
  revision: number;
  vkGroupId: number | null;
  /** how the VK connection signs its calls, so an error names the right key */
  vkTokenKind: string | null;
  tree: ReturnType<typeof groupTree>;
}

type StorePage = StoreContext & {
  summary: ReturnType<typeof summarizeRules>;
  modeSentences: typeof MODE_SENTENCES;
};

/** The user's store with its groups as a tree; null (after a 404 page) when it is not theirs. */
export async function storeContext(
  sequelize: Sequelize,
  req: Request,
  res: Response,
): Promise<StorePage | null> {
  const userId = userIdOf(req);
  const storeId = String(req.params.id ?? '');
  const [store, rules, groups] = await Promise.all([
    storeWithSettings(sequelize, userId, storeId),
    rulesOf(sequelize, userId),
    groupsOf(sequelize, userId, storeId),
  ]);
  if (!store) {
    notFound(res);
    return null;
  }
  return {
    store,
    compiled: catalogRules(rules),
    revision: store.revision,
    vkGroupId: store.vk_group_id,
    vkTokenKind: store.vk_token_kind,
    summary: summarizeRules(rules),
    modeSentences: MODE_SENTENCES,
    tree: groupTree(groups),
  };
}

/** A path back into the catalog from a form's `back` field, never anywhere else. */
export function safeBack(back: unknown, fallback: string): string {
  return typeof back === 'string' && /^\/catalog\/[^\\]*$/.test(back) && !back.startsWith('//')
    ? back
    : fallback;
}
