/**
 * How a module's state becomes a snapshot and back. States hold Maps, which JSON does not:
 * a codec says how to write them, and which version of the state's shape it writes.
 *
 * Bump `schemaVersion` whenever the state's shape or the meaning of a field changes (a new
 * field, a renamed one, a fold that now counts differently): snapshots of another version are
 * ignored, the stream is folded from its first event once, and a new snapshot is written.
 */
export interface SnapshotCodec<State> {
  schemaVersion: number;
  toJSON(state: State): unknown;
  /** null when the JSON does not fit this version's state (the stream is then folded fully) */
  fromJSON(json: unknown): State | null;
}

/**
 * The codec of a state that is a record of plain JSON values and Maps of plain JSON values
 * (every snapshotted state in this domain). Which fields are Maps is read from
 * `initialState()`, so a new field needs no line here, only a version bump. As a safety net for
 * a forgotten bump, a snapshot whose fields are not exactly those of `initialState()` is not
 * used.
 */
export function recordSnapshotCodec<State extends object>(options: {
  schemaVersion: number;
  initialState: () => State;
}): SnapshotCodec<State> {
  const initial = options.initialState() as Record<string, unknown>;
  const fields = Object.keys(initial).sort();
  const mapFields = new Set(fields.filter((f) => initial[f] instanceof Map));
  return {
    schemaVersion: options.schemaVersion,
    toJSON(state) {
      const json: Record<string, unknown> = {};
      for (const [field, value] of Object.entries(state)) {
        json[field] = mapFields.has(field) ? [...(value as Map<unknown, unknown>)] : value;
      }
      return json;
    },
    fromJSON(json) {
      if (typeof json !== 'object' || json === null || Array.isArray(json)) return null;
      const record = json as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      if (keys.length !== fields.length || keys.some((k, i) => k !== fields[i])) return null;
      const state: Record<string, unknown> = {};
      for (const field of fields) {
        const value = record[field];
        if (!mapFields.has(field)) state[field] = value;
        else if (Array.isArray(value)) state[field] = new Map(value as Array<[unknown, unknown]>);
        else return null;
      }
      return state as State;
    },
  };
}
