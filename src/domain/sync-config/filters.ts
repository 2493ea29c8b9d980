/**
 * What is in the sync scope, from the filter rules of the sync-configuration plan.
 *
 * Each level (store, group, product) is a gate of its own, and an item passes only if it
 * passes all three:
 * - no rules of that type: everything passes;
 * - at least one `include` of that type (whitelist mode): only what is included passes;
 * - only `exclude` rules of that type (blacklist mode): everything but the excluded passes.
 * The modes are per entity type and per user, exactly as the plan states them: one included
 * product means only included products are published, in every store.
 *
 * Hierarchy: an excluded (or, in whitelist mode, not included) store takes everything under
 * it out, whatever the rules of its groups and products say. Groups nest: a group's chain is
 * itself and its ancestors. It is excluded when any group of its chain is excluded (an
 * exclusion anywhere above wins over an inclusion below), and in whitelist mode it passes
 * when any group of its chain is included. A product outside any group (at the store's root)
 * has an empty chain: it passes the group gate in blacklist mode and fails it in whitelist
 * mode, since it is in no included group.
 */
import type { FilterEntityType, SyncFilterRule } from './events.js';

export interface ScopeSubject {
  storeId: string;
  /** the product's group, null at the store's root */
  groupId: string | null;
  /** the group's parent, its parent, … (any order); empty for a top-level group */
  groupAncestors: readonly string[];
  productId: string;
}

interface Gate {
  include: Set<string>;
  exclude: Set<string>;
}

function passes(gate: Gate, chain: readonly string[]): boolean {
  if (chain.some((id) => gate.exclude.has(id))) return false;
  if (gate.include.size > 0) return chain.some((id) => gate.include.has(id));
  return true;
}

export interface Scope {
  store(storeId: string): boolean;
  group(storeId: string, groupId: string | null, groupAncestors: readonly string[]): boolean;
  product(subject: ScopeSubject): boolean;
}

/** Indexes the rules once, for checking a whole catalog against them. */
export function compileScope(rules: Iterable<SyncFilterRule>): Scope {
  const gates: Record<FilterEntityType, Gate> = {
    store: { include: new Set(), exclude: new Set() },
    group: { include: new Set(), exclude: new Set() },
    product: { include: new Set(), exclude: new Set() },
  };
  for (const rule of rules) gates[rule.entityType][rule.mode].add(rule.entityId);

  const scope: Scope = {
    store: (storeId) => passes(gates.store, [storeId]),
    group: (storeId, groupId, ancestors) =>
      scope.store(storeId) && passes(gates.group, groupId === null ? [] : [groupId, ...ancestors]),
    product: (s) =>
      scope.group(s.storeId, s.groupId, s.groupAncestors) && passes(gates.product, [s.productId]),
  };
  return scope;
}

export function isInScope(rules: Iterable<SyncFilterRule>, subject: ScopeSubject): boolean {
  return compileScope(rules).product(subject);
}

/**
 * The ancestors of a group, nearest first, following `parentId`. Stops at a missing parent or
 * a cycle (Evotor data is not guaranteed to be a tree).
 */
export function groupAncestors(
  groupId: string | null,
  parentOf: (groupId: string) => string | null | undefined,
): string[] {
  const chain: string[] = [];
  const seen = new Set<string>(groupId === null ? [] : [groupId]);
  let current = groupId === null ? null : parentOf(groupId);
  while (current && !seen.has(current)) {
    chain.push(current);
    seen.add(current);
    current = parentOf(current);
  }
  return chain;
}
