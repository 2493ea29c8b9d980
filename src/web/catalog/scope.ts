/**
 * How the catalog pages present the sync-configuration filter rules. Whether something is in
 * scope is always the domain's answer (compileScope); this module only arranges the groups so
 * the domain can be asked, and words the answers for the pages.
 */
import type {
  FilterEntityType,
  FilterMode,
  SyncFilterRule,
} from '../../domain/sync-config/events.js';
import { compileScope, groupAncestors, type Scope } from '../../domain/sync-config/filters.js';

export type RuleState = FilterMode | 'none';

export const RULE_LABELS: Record<RuleState, string> = {
  include: 'включён',
  exclude: 'исключён',
  none: 'по умолчанию',
};

export interface CatalogRules {
  rules: SyncFilterRule[];
  scope: Scope;
  ruleOf(entityType: FilterEntityType, entityId: string): RuleState;
}

export function catalogRules(rules: SyncFilterRule[]): CatalogRules {
  const byKey = new Map(rules.map((r) => [`${r.entityType}:${r.entityId}`, r.mode]));
  return {
    rules,
    scope: compileScope(rules),
    ruleOf: (type, id) => byKey.get(`${type}:${id}`) ?? 'none',
  };
}

export interface GroupRow {
  group_id: string;
  parent_id: string | null;
  name: string;
}

export interface TreeGroup extends GroupRow {
  depth: number;
  ancestors: string[];
}

/**
 * The groups in tree order (each followed by its subgroups), with their depth and ancestors.
 * Evotor does not promise a tree: a group whose parent is unknown is shown at the top, and
 * the members of a cycle (reachable from no root) are shown from an arbitrary member on.
 */
export function groupTree(groups: readonly GroupRow[]): TreeGroup[] {
  const byId = new Map(groups.map((g) => [g.group_id, g]));
  const children = new Map<string, GroupRow[]>();
  const roots: GroupRow[] = [];
  for (const g of groups) {
    if (g.parent_id !== null && byId.has(g.parent_id) && g.parent_id !== g.group_id) {
      const list = children.get(g.parent_id) ?? [];
      list.push(g);
      children.set(g.parent_id, list);
    } else roots.push(g);
  }
  const parentOf = (id: string) => byId.get(id)?.parent_id ?? null;
  const out: TreeGroup[] = [];
  const seen = new Set<string>();
  const visit = (g: GroupRow, depth: number) => {
    if (seen.has(g.group_id)) return;
    seen.add(g.group_id);
    out.push({ ...g, depth, ancestors: groupAncestors(g.group_id, parentOf) });
    for (const child of children.get(g.group_id) ?? []) visit(child, depth + 1);
  };
  for (const root of roots) visit(root, 0);
  for (const g of groups) visit(g, 0);
  return out;
}

/** The group and every group below it (cycles tolerated). */
export function withSubgroups(groups: readonly GroupRow[], groupId: string): string[] {
  const children = new Map<string, string[]>();
  for (const g of groups) {
    if (g.parent_id === null) continue;
    children.set(g.parent_id, [...(children.get(g.parent_id) ?? []), g.group_id]);
  }
  const found = new Set<string>([groupId]);
  const queue = [groupId];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      if (!found.has(child)) {
        found.add(child);
        queue.push(child);
      }
    }
  }
  return [...found];
}

const TYPE_TITLES: Record<FilterEntityType, string> = {
  store: 'Магазины',
  group: 'Группы',
  product: 'Товары',
};

export interface RuleSummary {
  entityType: FilterEntityType;
  title: string;
  mode: 'all' | 'whitelist' | 'blacklist';
  included: SyncFilterRule[];
  excluded: SyncFilterRule[];
}

/** Per entity type: which of the plan's three modes applies, and the rules by name. */
export function summarizeRules(rules: readonly SyncFilterRule[]): RuleSummary[] {
  return (Object.keys(TYPE_TITLES) as FilterEntityType[]).map((entityType) => {
    const ofType = rules
      .filter((r) => r.entityType === entityType)
      .sort((a, b) => a.entityName.localeCompare(b.entityName, 'ru'));
    const included = ofType.filter((r) => r.mode === 'include');
    const excluded = ofType.filter((r) => r.mode === 'exclude');
    const mode = included.length > 0 ? 'whitelist' : excluded.length > 0 ? 'blacklist' : 'all';
    return { entityType, title: TYPE_TITLES[entityType], mode, included, excluded };
  });
}
