import type { RequestHandler } from 'express';
import { QueryTypes, type Sequelize } from 'sequelize';

interface Batch {
  sids: Set<string>;
  result: Promise<BatchResult>;
}

interface BatchResult {
  sessions: Map<string, string>;
  version: string;
}

/**
 * What a signed-in request reads before anything else: its session row and the version of the
 * read tables (all projection checkpoints together: every projection moves its checkpoint in
 * the same transaction as its rows). Requests share these reads: those that arrive while one
 * is under way wait for the next, one query for all of them. Each request is answered by a
 * query begun after it arrived, so nothing it sees is older than the request: what another
 * web process wrote (a login, a flash message, a sign-out) and what a command waited for
 * before its redirect are there. No time-based cache, and one round trip per batch of
 * requests instead of two per request.
 */
export class RequestReads {
  /** how many batches have begun; a request is stamped with it when it arrives */
  private begun = 0;
  private running: Promise<unknown> | null = null;
  private next: Batch | null = null;
  private latest: { seq: number; result: Promise<BatchResult> } | null = null;
  private readonly arrivals = new WeakMap<object, number>();
  private readonly versions = new WeakMap<object, Promise<string>>();

  constructor(private readonly sequelize: Sequelize) {}

  /** Mount before the session: marks when each request arrived. */
  readonly stamp: RequestHandler = (req, _res, next) => {
    this.arrivals.set(req, this.begun);
    next();
  };

  /** The session row's data (null: none, or expired). */
  async session(sid: string): Promise<string | null> {
    const { sessions } = await this.join(sid);
    return sessions.get(sid) ?? null;
  }

  /**
   * The read tables' version as the request sees it: read once per request (the user and the
   * page agree), from the batch that read its session when that began after it arrived. ''
   * while no projection has a checkpoint (projected inline, in tests): nothing is kept then.
   */
  of(request: object): Promise<string> {
    let version = this.versions.get(request);
    if (!version) {
      const arrived = this.arrivals.get(request);
      const usable = this.latest && arrived !== undefined && this.latest.seq >= arrived;
      version = (usable ? this.latest!.result : this.join()).then((r) => r.version);
      this.versions.set(request, version);
    }
    return version;
  }

  private join(sid?: string): Promise<BatchResult> {
    if (!this.next) {
      const batch: Batch = { sids: new Set(), result: Promise.resolve(null as never) };
      const after = this.running ?? Promise.resolve();
      batch.result = after.then(() => this.begin(batch));
      this.next = batch;
    }
    if (sid !== undefined) this.next.sids.add(sid);
    return this.next.result;
  }

  private begin(batch: Batch): Promise<BatchResult> {
    // From here on, arrivals wait for the batch after this one.
    if (this.next === batch) this.next = null;
    const result = this.query([...batch.sids]);
    this.latest = { seq: this.begun++, result };
    const running = result.catch(() => undefined);
    this.running = running;
    void running.then(() => {
      if (this.running === running) this.running = null;
    });
    return result;
  }

  private async query(sids: string[]): Promise<BatchResult> {
    const rows = await this.sequelize.query<{ v: string | null; sid: string | null; data: string }>(
      `SELECT v.v, s.sid, s.data
         FROM (SELECT GROUP_CONCAT(name, ':', version, ':', status, ':', commit_position, ':',
                                   prepare_position ORDER BY name SEPARATOR '|') AS v
                 FROM projection_checkpoints) v
         LEFT JOIN web_sessions s ON s.sid IN (?) AND s.expires_at > UTC_TIMESTAMP()`,
      { replacements: [sids.length > 0 ? sids : ['']], type: QueryTypes.SELECT },
    );
    const sessions = new Map<string, string>();
    for (const row of rows) if (row.sid !== null) sessions.set(row.sid, row.data);
    return { sessions, version: rows[0]?.v ?? '' };
  }
}
