import { QueryTypes, type Sequelize } from 'sequelize';
import { mirrorStream } from '../../domain/mirror/events.js';
import { ownerError, type OwnerError } from '../shared/owner-errors.js';

export interface MirrorStatusView {
  paused: boolean;
  pausedAt: Date | null;
  captchaImg: string | null;
  lastFailure: { at: Date; method: string; code: number; message: string } | null;
  totals: Record<'created' | 'adopted' | 'updated' | 'hidden' | 'deleted' | 'failed', number>;
}

export async function loadMirrorStatus(
  sequelize: Sequelize,
  userId: string,
): Promise<MirrorStatusView> {
  const [row] = await sequelize.query<Record<string, unknown>>(
    'SELECT * FROM vk_mirror_status WHERE user_id = ?',
    { replacements: [userId], type: QueryTypes.SELECT },
  );
  const n = (key: string) => Number(row?.[key] ?? 0);
  return {
    paused: n('paused') === 1,
    pausedAt: row?.paused_at ? new Date(row.paused_at as string) : null,
    captchaImg: (row?.captcha_img as string | null) ?? null,
    lastFailure: row?.last_failure_at
      ? {
          at: new Date(row.last_failure_at as string),
          method: String(row.last_failure_method ?? ''),
          code: n('last_failure_code'),
          message: String(row.last_failure_message ?? ''),
        }
      : null,
    totals: {
      created: n('created'),
      adopted: n('adopted'),
      updated: n('updated'),
      hidden: n('hidden'),
      deleted: n('deleted'),
      failed: n('failed'),
    },
  };
}

export interface PushRunView {
  correlationId: string;
  startedAt: Date;
  finishedAt: Date;
  created: number;
  updated: number;
  hidden: number;
  deleted: number;
  restored: number;
  failed: number;
  paused: boolean;
}

const OUTCOMES = [
  'VkItemCreated',
  'VkItemAdopted',
  'VkItemUpdated',
  'VkItemHidden',
  'VkItemDeleted',
  'VkItemRestored',
  'VkCommandFailed',
  'VkPushPaused',
];

/**
 * One push job appends all its outcomes under its job id as correlation id, so grouping the
 * mirror stream's outcome events by correlation gives one line per run. Adopted items count as
 * created: for the owner both are "the item appeared in VK".
 */
export async function loadRecentRuns(
  sequelize: Sequelize,
  userId: string,
  limit = 10,
): Promise<PushRunView[]> {
  const rows = await sequelize.query<Record<string, unknown>>(
    `SELECT correlation_id, MIN(occurred_at) AS started_at, MAX(occurred_at) AS finished_at,
            SUM(type IN ('VkItemCreated', 'VkItemAdopted')) AS created,
            SUM(type = 'VkItemUpdated') AS updated, SUM(type = 'VkItemHidden') AS hidden,
            SUM(type = 'VkItemDeleted') AS deleted, SUM(type = 'VkItemRestored') AS restored,
            SUM(type = 'VkCommandFailed') AS failed, SUM(type = 'VkPushPaused') AS paused
       FROM audit_log
      WHERE stream_id = ? AND type IN (${OUTCOMES.map(() => '?').join(',')})
      GROUP BY correlation_id
      ORDER BY MAX(position) DESC
      LIMIT ?`,
    { replacements: [mirrorStream(userId), ...OUTCOMES, limit], type: QueryTypes.SELECT },
  );
  return rows.map((r) => ({
    correlationId: String(r.correlation_id ?? ''),
    startedAt: new Date(r.started_at as string),
    finishedAt: new Date(r.finished_at as string),
    created: Number(r.created),
    updated: Number(r.updated),
    hidden: Number(r.hidden),
    deleted: Number(r.deleted),
    restored: Number(r.restored),
    failed: Number(r.failed),
    paused: Number(r.paused) > 0,
  }));
}

export interface FailureView {
  at: Date;
  method: string;
  code: number;
  message: string;
  productId: string | null;
}

export async function loadRecentFailures(
  sequelize: Sequelize,
  userId: string,
  limit = 5,
): Promise<FailureView[]> {
  const rows = await sequelize.query<{ occurred_at: string; data: string }>(
    `SELECT occurred_at, data FROM audit_log WHERE stream_id = ? AND type = 'VkCommandFailed'
      ORDER BY position DESC LIMIT ?`,
    { replacements: [mirrorStream(userId), limit], type: QueryTypes.SELECT },
  );
  return rows.map((r) => {
    const data = JSON.parse(r.data) as Record<string, unknown>;
    return {
      at: new Date(r.occurred_at),
      method: String(data.method ?? ''),
      code: Number(data.errorCode ?? 0),
      message: String(data.message ?? ''),
      productId: typeof data.productId === 'string' ? data.productId : null,
    };
  });
}

/**
 * The recent failures as the owner reads them: in Russian, naming the product (with its history
 * page) and what to do; VK's own words stay in `owner.raw` for the admin pages.
 */
export async function loadOwnerFailures(
  sequelize: Sequelize,
  userId: string,
  tokenKind: string | null,
  limit = 5,
): Promise<(FailureView & { owner: OwnerError })[]> {
  const failures = await loadRecentFailures(sequelize, userId, limit);
  const ids = [...new Set(failures.flatMap((f) => (f.productId ? [f.productId] : [])))];
  const products =
    ids.length === 0
      ? []
      : await sequelize.query<{ product_id: string; store_id: string; name: string }>(
          `SELECT product_id, store_id, name FROM cached_products
            WHERE user_id = ? AND product_id IN (${ids.map(() => '?').join(',')})`,
          { replacements: [userId, ...ids], type: QueryTypes.SELECT },
        );
  const byId = new Map(products.map((p) => [p.product_id, p]));
  return failures.map((f) => {
    const p = f.productId ? byId.get(f.productId) : undefined;
    return {
      ...f,
      owner: ownerError(
        { service: 'vk', code: f.code, message: f.message, method: f.method, tokenKind },
        p ? { name: p.name, storeId: p.store_id, productId: p.product_id } : null,
      ),
    };
  });
}
