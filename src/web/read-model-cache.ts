/** Where a request's read-model version comes from (RequestReads in the web process). */
export interface ReadModelVersion {
  /** the read tables' version as this request sees it; '' when there are no checkpoints */
  of(request: object): Promise<string>;
}

/**
 * Values computed from read tables, kept while no projection has written since (see
 * RequestReads): the request's version read replaces a page's worth of queries when nothing
 * changed. Least recently stored entries go first beyond `maxEntries`.
 */
export class ReadModelCache<T> {
  private readonly entries = new Map<string, { version: string; value: T }>();

  constructor(
    private readonly version: ReadModelVersion,
    private readonly maxEntries = 500,
  ) {}

  /** `compute` may answer null (not found): nothing is kept then. */
  async get(request: object, key: string, compute: () => Promise<T | null>): Promise<T | null> {
    const version = await this.version.of(request);
    const hit = this.entries.get(key);
    if (hit && hit.version === version && version !== '') return hit.value;
    const value = await compute();
    if (value === null || version === '') return value;
    this.entries.delete(key);
    this.entries.set(key, { version, value });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }
}
