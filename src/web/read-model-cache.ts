import { QueryTypes, type Sequelize } from 'sequelize';

/**
 * The version of everything the read tables hold: every projection moves its checkpoint in the
 * same transaction as its rows, so the checkpoints taken together change whenever any read
 * table does. One web process shares one reader.
 *
 * Concurrent requests share a query, but only one that began after they asked: a request never
 * gets a version read before it arrived, so the page after a redirect still shows what the
 * command waited for (CheckpointWaiter). Under load this is one query per database round trip
 * instead of one per request.
 */
export class ReadModelVersion {
  private running: Promise<string> | null = null;
  private next: Promise<string> | null = null;
  private readonly perRequest = new WeakMap<object, Promise<string>>();

  constructor(private readonly sequelize: Sequelize) {}

  /**
   * The version as the request sees it: read once per request (the user and the page agree)
   * and kept with the request object, which takes it along when it goes.
   */
  of(request: object): Promise<string> {
    let version = this.perRequest.get(request);
    if (!version) {
      version = this.read();
      this.perRequest.set(request, version);
    }
    return version;
  }

  /** '' while no projection has a checkpoint (projected inline, say): nothing is kept then */
  read(): Promise<string> {
    if (this.next) return this.next;
    if (!this.running) return this.start();
    // The running query may have begun before this call: wait for it, then read anew.
    const settled = this.running.then(
      () => undefined,
      () => undefined,
    );
    this.next = settled.then(() => {
      this.next = null;
      return this.start();
    });
    return this.next;
  }

  private start(): Promise<string> {
    const run: Promise<string> = this.query().finally(() => {
      if (this.running === run) this.running = null;
    });
    this.running = run;
    return run;
  }

  private async query(): Promise<string> {
    const [row] = await this.sequelize.query<{ v: string | null }>(
      `SELECT GROUP_CONCAT(name, ':', version, ':', status, ':', commit_position, ':', prepare_position
                           ORDER BY name SEPARATOR '|') AS v
         FROM projection_checkpoints`,
      { type: QueryTypes.SELECT },
    );
    return row?.v ?? '';
  }
}

/**
 * Values computed from read tables, kept while no projection has written since (see
 * ReadModelVersion): one shared version read per request replaces a page's worth of queries
 * when nothing changed. Least recently stored entries go first beyond `maxEntries`.
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
