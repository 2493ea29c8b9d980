import session from 'express-session';
import { QueryTypes, type Sequelize } from 'sequelize';

const TOUCH_EVERY_MS = 60_000;

type Callback = (err?: unknown, value?: session.SessionData | null) => void;

/** express-session's store in MariaDB (`web_sessions`), so logins survive a restart. */
export class SequelizeSessionStore extends session.Store {
  private lastSweep = 0;
  /** when each session's expiry was last written from this process */
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly sequelize: Sequelize,
    private readonly defaultTtlMs = 7 * 24 * 3_600_000,
  ) {
    super();
  }

  private expiry(sess: session.SessionData): Date {
    const expires = sess.cookie?.expires;
    return expires ? new Date(expires) : new Date(Date.now() + this.defaultTtlMs);
  }

  /**
   * Read from the table on every request, never kept in the process: what another web process
   * wrote (a sign-out, a flash message before its redirect) is seen at once.
   */
  override get(sid: string, callback: Callback): void {
    this.sequelize
      .query<{ data: string }>(
        'SELECT data FROM web_sessions WHERE sid = ? AND expires_at > UTC_TIMESTAMP()',
        { replacements: [sid], type: QueryTypes.SELECT },
      )
      .then(([row]) => callback(null, row ? (JSON.parse(row.data) as session.SessionData) : null))
      .catch((error: unknown) => callback(error));
  }

  override set(sid: string, sess: session.SessionData, callback?: (err?: unknown) => void): void {
    const userId = (sess as unknown as { passport?: { user?: string } }).passport?.user ?? null;
    this.sequelize
      .query(
        `INSERT INTO web_sessions (sid, user_id, expires_at, data) VALUES (?, ?, ?, ?)
         ON DUPLICATE KEY UPDATE user_id = VALUES(user_id), expires_at = VALUES(expires_at), data = VALUES(data)`,
        { replacements: [sid, userId, this.expiry(sess), JSON.stringify(sess)] },
      )
      .then(() => this.sweep())
      .then(() => callback?.())
      .catch((error: unknown) => callback?.(error));
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    this.touched.delete(sid);
    this.sequelize
      .query('DELETE FROM web_sessions WHERE sid = ?', { replacements: [sid] })
      .then(() => callback?.())
      .catch((error: unknown) => callback?.(error));
  }

  /**
   * express-session touches a stored session on every response it does not save; writing the
   * expiry once a minute is enough for a week-long session and saves an UPDATE per request.
   */
  override touch(sid: string, sess: session.SessionData, callback?: () => void): void {
    const now = Date.now();
    if (now - (this.touched.get(sid) ?? 0) < TOUCH_EVERY_MS) {
      callback?.();
      return;
    }
    if (this.touched.size > 50_000) this.touched.clear();
    this.touched.set(sid, now);
    this.sequelize
      .query('UPDATE web_sessions SET expires_at = ? WHERE sid = ?', {
        replacements: [this.expiry(sess), sid],
      })
      .then(() => callback?.())
      .catch(() => callback?.());
  }

  /** Ends every session of a user (suspension, deletion, password change elsewhere). */
  async destroyUserSessions(userId: string): Promise<void> {
    await this.sequelize.query('DELETE FROM web_sessions WHERE user_id = ?', {
      replacements: [userId],
    });
  }

  /** Expired rows are removed now and then, not on every write. */
  private async sweep(): Promise<void> {
    if (Date.now() - this.lastSweep < 10 * 60_000) return;
    this.lastSweep = Date.now();
    await this.sequelize.query('DELETE FROM web_sessions WHERE expires_at <= UTC_TIMESTAMP()');
  }
}
