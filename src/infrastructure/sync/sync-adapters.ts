import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { ApiRequestLog } from '../../application/ports/api-request-log.js';
import type { SyncGateways } from '../../application/sync/ports.js';
import type { Config } from '../config/config.js';
import { EvotorClientCatalogSource } from '../evotor/catalog-source.js';
import { EvotorClient } from '../evotor/evotor-client.js';
import { EvotorProductImages } from '../evotor/images.js';
import { VkClientMarketGateway } from '../vk/market-gateway.js';
import { VkClient } from '../vk/vk-client.js';

/** The real Evotor and VK clients behind the sync's gateway ports, logging every call. */
export function httpSyncGateways(
  config: Pick<Config, 'EVOTOR_API_URL' | 'VK_API_URL' | 'VK_API_VERSION'>,
  log: ApiRequestLog,
): SyncGateways {
  return {
    evotor: (userId, token) =>
      new EvotorClientCatalogSource(
        new EvotorClient({ baseUrl: config.EVOTOR_API_URL, token, userId, log }),
      ),
    evotorImages: (userId, token) =>
      new EvotorProductImages(
        new EvotorClient({ baseUrl: config.EVOTOR_API_URL, token, userId, log }),
      ),
    vk: (userId, connection) =>
      new VkClientMarketGateway(
        new VkClient({
          apiUrl: config.VK_API_URL,
          version: config.VK_API_VERSION,
          token: connection.accessToken ?? connection.token,
          tokenKind: connection.tokenKind,
          userId,
          log,
        }),
        connection.groupId,
        { log, userId },
      ),
  };
}

/**
 * Staff roles an account may hold beside `user` (the `users.role` column keeps only the first
 * role): such accounts are not shop owners. The sync jobs check the same rule on every run.
 */
const NOT_STAFF = `NOT EXISTS (SELECT 1 FROM user_roles r
                     WHERE r.user_id = u.id AND r.role IN ('admin', 'system'))`;

/**
 * Who the periodic pipeline syncs, from the read tables: role `user` (never admin or system
 * accounts, as the old system learned), active, sync on and confirmed, both connections there.
 */
export async function eligibleUsers(sequelize: Sequelize): Promise<string[]> {
  const rows = await sequelize.query<{ user_id: string }>(
    `SELECT s.user_id
       FROM sync_configs s
       JOIN users u ON u.id = s.user_id AND u.role = 'user' AND u.status = 'active' AND ${NOT_STAFF}
       JOIN evotor_connections e ON e.user_id = s.user_id AND e.has_token = 1
       JOIN vk_connections v ON v.user_id = s.user_id AND v.connected = 1
      WHERE s.is_enabled = 1 AND s.confirmed_at IS NOT NULL
      ORDER BY s.user_id`,
    { type: QueryTypes.SELECT },
  );
  return rows.map((r) => r.user_id);
}

/** Shop owners with a saved connection: whose connections the health job checks. */
export async function connectedUsers(
  sequelize: Sequelize,
): Promise<Array<{ userId: string; evotor: boolean; vk: boolean }>> {
  const rows = await sequelize.query<{ user_id: string; evotor: number | null; vk: number | null }>(
    `SELECT u.id AS user_id, e.has_token AS evotor, v.connected AS vk
       FROM users u
       LEFT JOIN evotor_connections e ON e.user_id = u.id
       LEFT JOIN vk_connections v ON v.user_id = u.id
      WHERE u.role = 'user' AND u.status = 'active' AND ${NOT_STAFF}
        AND (e.has_token = 1 OR v.connected = 1)
      ORDER BY u.id`,
    { type: QueryTypes.SELECT },
  );
  return rows.map((r) => ({ userId: r.user_id, evotor: r.evotor === 1, vk: r.vk === 1 }));
}

/** The photo of items without one, read once per process. */
export function defaultPhotoLoader(
  photoPath: string,
): () => Promise<{ file: Buffer; filename: string }> {
  let cached: Promise<Buffer> | null = null;
  return async () => {
    cached ??= readFile(photoPath);
    return { file: await cached, filename: path.basename(photoPath) };
  };
}
