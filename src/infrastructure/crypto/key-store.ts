import { QueryTypes, type Sequelize } from 'sequelize';

/** Wrapped per-user keys in `user_keys`, outside the event store so that they can be deleted. */
export interface KeyStore {
  get(ownerId: string): Promise<Buffer | null>;
  /** stores the key unless one exists; returns the key that is stored afterwards */
  putIfAbsent(ownerId: string, wrapped: Buffer): Promise<Buffer>;
  delete(ownerId: string): Promise<void>;
}

export class SequelizeKeyStore implements KeyStore {
  constructor(private readonly sequelize: Sequelize) {}

  async get(ownerId: string): Promise<Buffer | null> {
    const rows = await this.sequelize.query<{ wrapped_key: Buffer }>(
      'SELECT wrapped_key FROM user_keys WHERE owner_id = ?',
      { replacements: [ownerId], type: QueryTypes.SELECT },
    );
    return rows[0]?.wrapped_key ?? null;
  }

  async putIfAbsent(ownerId: string, wrapped: Buffer): Promise<Buffer> {
    await this.sequelize.query(
      'INSERT IGNORE INTO user_keys (owner_id, wrapped_key, created_at) VALUES (?, ?, UTC_TIMESTAMP(3))',
      { replacements: [ownerId, wrapped] },
    );
    const stored = await this.get(ownerId);
    if (!stored) throw new Error(`Key for ${ownerId} vanished while being created`);
    return stored;
  }

  async delete(ownerId: string): Promise<void> {
    await this.sequelize.query('DELETE FROM user_keys WHERE owner_id = ?', {
      replacements: [ownerId],
    });
  }
}

export class MemoryKeyStore implements KeyStore {
  readonly keys = new Map<string, Buffer>();
  async get(ownerId: string) {
    return this.keys.get(ownerId) ?? null;
  }
  async putIfAbsent(ownerId: string, wrapped: Buffer) {
    if (!this.keys.has(ownerId)) this.keys.set(ownerId, wrapped);
    return this.keys.get(ownerId)!;
  }
  async delete(ownerId: string) {
    this.keys.delete(ownerId);
  }
}
