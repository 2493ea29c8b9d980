import { QueryTypes, type Sequelize } from 'sequelize';

/**
 * Values computed from read tables, kept while no projection has written since: every
 * projection moves its checkpoint in the same transaction as its rows, so the checkpoints
 * taken together are a version of everything the read tables hold. One small query per
 * request (the checkpoints) replaces a page's worth of queries when nothing changed.
 */
export class ReadModelCache<T> {
  private readonly entries = new Map<string, { version: string; value: T }>();

  constructor(
    private readonly sequelize: Sequelize,
    private readonly maxEntries = 500,
  ) {}

  async version(): Promise<string> {
    const [row] = await this.sequelize.query<{ v: string | null }>(
      `SELECT GROUP_CONCAT(name, ':', version, ':', status, ':', commit_position, ':', prepare_position
                           ORDER BY name SEPARATOR '|') AS v
         FROM projection_checkpoints`,
      { type: QueryTypes.SELECT },
    );
    return row?.v ?? '';
  }

  /** `compute` may answer null (not found): nothing is kept then. */
  async get(key: string, compute: () => Promise<T | null>): Promise<T | null> {
    const version = await this.version();
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
