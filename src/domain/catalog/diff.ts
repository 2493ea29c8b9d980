import type { FieldChange } from './events.js';

/**
 * Field-by-field comparison shared by the snapshot deciders. Values are JSON data (strings,
 * numbers, booleans, null, arrays and plain objects of those); arrays compare element by
 * element so a reordered barcode list does count as a change — Evotor keeps the order it was
 * given; objects (product images) compare key by key.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => sameValue(a[k], b[k]));
  }
  return Object.is(a, b);
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function fieldChanges<T extends object, Field extends keyof T & string>(
  before: T,
  after: T,
  fields: readonly Field[],
): FieldChange<Field>[] {
  const changes: FieldChange<Field>[] = [];
  for (const field of fields) {
    if (!sameValue(before[field], after[field])) {
      changes.push({ field, from: before[field], to: after[field] });
    }
  }
  return changes;
}

/** Applies recorded changes to a value (the `evolve` side of a *Changed event). */
export function applyChanges<T extends object>(value: T, changes: readonly FieldChange[]): T {
  const next = { ...value } as Record<string, unknown>;
  for (const change of changes) next[change.field] = change.to;
  return next as T;
}

/** Plain code-unit order, not locale order: the same input must give the same events everywhere. */
export function byId(a: { id: string }, b: { id: string }): number {
  return compareIds(a.id, b.id);
}

export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Indexes a snapshot list by id, refusing duplicates (an ambiguous snapshot cannot be diffed). */
export function indexById<T extends { id: string | number }>(
  items: readonly T[],
  onDuplicate: (id: T['id']) => never,
): Map<T['id'], T> {
  const index = new Map<T['id'], T>();
  for (const item of items) {
    if (index.has(item.id)) onDuplicate(item.id);
    index.set(item.id, item);
  }
  return index;
}
