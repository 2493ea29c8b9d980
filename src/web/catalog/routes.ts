import { Router } from 'express';
import type { DashboardDeps } from '../dashboard/deps.js';
import { requirePermission } from '../auth/current-user.js';
import { pageOf } from '../forms.js';
import { ACCESS_LABELS, pageBasics, storeContext, userIdOf } from './context.js';
import { pageWithTotal } from './product-queries.js';
import { productFilters, productQuery, productViews } from './products.js';
import { countsByStore, storesOf } from './queries.js';
import { RULE_LABELS } from './scope.js';
import { catalogFilterRoutes } from './filter-routes.js';
import { catalogCsvRoute } from './csv.js';
import { scoped } from '../scoped.js';
import { catalogCounts, countsOf } from './counts.js';
import { pageBeyondLast } from '../shared/pager.js';

export const PAGE_SIZE = 50;

/** The shop owner's catalog browser: stores, groups, products, and their filter rules. */
export function catalogRoutes(deps: DashboardDeps): Router {
  const { sequelize } = deps;
  const r = Router();
  r.use('/catalog', requirePermission('sync.use'));
  r.get('/catalog', (_req, res) => res.redirect(302, '/catalog/stores'));

  r.get('/catalog/stores', async (req, res) => {
    const userId = userIdOf(req);
    const [stores, counts, basics] = await Promise.all([
      storesOf(sequelize, userId),
      countsByStore(sequelize, userId),
      pageBasics(sequelize, userId),
    ]);
    const sync = await catalogCounts(sequelize, userId, basics.compiled.scope);
    const rows = stores.map((s) => {
      const rule = basics.compiled.ruleOf('store', s.store_id);
      return {
        ...s,
        lost: Number(s.lost) === 1,
        accessLabel: ACCESS_LABELS[s.access] ?? s.access,
        counts: counts.get(s.store_id) ?? { groups: 0, products: 0 },
        sync: countsOf(sync.stores, s.store_id),
        rule,
        ruleLabel: RULE_LABELS[rule],
        inScope: basics.compiled.scope.store(s.store_id),
      };
    });
    res.render('catalog/stores', { title: 'Каталог: магазины', ...basics, stores: rows });
  });

  r.get('/catalog/stores/:id/groups', async (req, res) => {
    const ctx = await storeContext(sequelize, req, res);
    if (!ctx) return;
    const storeId = ctx.store.store_id;
    const sync = await catalogCounts(sequelize, userIdOf(req), ctx.compiled.scope, storeId);
    const groups = ctx.tree.map((g) => {
      const rule = ctx.compiled.ruleOf('group', g.group_id);
      return {
        ...g,
        rule,
        ruleLabel: RULE_LABELS[rule],
        inScope: ctx.compiled.scope.group(storeId, g.group_id, g.ancestors),
        sync: countsOf(sync.groups, g.group_id),
      };
    });
    res.render('catalog/groups', {
      title: `Группы — ${ctx.store.name}`,
      ...ctx,
      storeInScope: ctx.compiled.scope.store(storeId),
      storeCounts: countsOf(sync.stores, storeId),
      groups,
      back: req.originalUrl,
    });
  });

  r.get('/catalog/stores/:id/products', async (req, res) => {
    const userId = userIdOf(req);
    const ctx = await storeContext(sequelize, req, res);
    if (!ctx) return;
    const filters = productFilters(req);
    const query = productQuery(userId, ctx, filters);
    const { page, offset } = pageOf(req, PAGE_SIZE);
    const [{ total, rows }, sync] = await Promise.all([
      pageWithTotal(sequelize, query, PAGE_SIZE, offset),
      catalogCounts(sequelize, userId, ctx.compiled.scope, ctx.store.store_id),
    ]);
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const last = pageBeyondLast(req, page, pages);
    if (last) return res.redirect(302, last);
    res.render('catalog/products', {
      title: `Товары — ${ctx.store.name}`,
      ...ctx,
      filters,
      filtered: filters.q !== '' || filters.group !== '',
      products: productViews(rows, ctx, ctx.vkGroupId),
      storeCounts: countsOf(sync.stores, ctx.store.store_id),
      total,
      page,
      pages,
      back: req.originalUrl,
    });
  });

  r.get('/catalog/stores/:id/products.csv', catalogCsvRoute(deps));
  r.use(catalogFilterRoutes(deps));
  return scoped('/catalog', r);
}
