import { vkAccount, vkAccountStream } from '../../domain/connections/vk-account.js';
import { mirrorDecider, type MirrorCommand } from '../../domain/mirror/decide.js';
import type { DesiredVkItem, PushedVkItem } from '../../domain/mirror/desired-item.js';
import { mirrorStream } from '../../domain/mirror/events.js';
import { pushedOf } from '../../domain/mirror/plan.js';
import type { MirrorState } from '../../domain/mirror/state.js';
import { WrongExpectedVersionError } from '../ports/event-store.js';
import type { PushDeps } from './vk-push.js';
import type { VkCall, VkCallError, VkCallResult, VkParams } from './ports.js';

export interface PushReport {
  /** `superseded`: another push wrote to the mirror stream meanwhile; this one stopped */
  outcome: 'done' | 'nothing_to_do' | 'inactive' | 'paused' | 'auth_failed' | 'superseded';
  created: number;
  adopted: number;
  updated: number;
  hidden: number;
  restored: number;
  deleted: number;
  albumsCreated: number;
  /** product images VK got in this push (each once, by content) */
  photosUploaded: number;
  failed: number;
  /** failures worth another run (6/9/10 after the client's own retries) */
  retryableFailures: number;
  /** progress that needs a follow-up run at once (adopted items, items found gone) */
  needsAnotherRun: boolean;
  /** ISO time of the earliest scheduled retry of a failing product or album, if any */
  nextRetryAt: string | null;
}

const TRANSIENT = new Set([6, 9, 10]);
export const ALBUM_NOT_FOUND = 1402;
export const ITEM_NOT_FOUND = 1403;
export const ALREADY_IN_ALBUM = 1404;
const CAPTCHA = 14;
const AUTH = 5;
export const ITEMS_PER_ALBUM_CALL = 100;

export class StopPush extends Error {
  constructor(readonly outcome: 'paused' | 'auth_failed' | 'superseded') {
    super(outcome);
  }
}

type Result = VkCallResult;
/** Commands for a call's result; null: an error the step does not handle (a failure). */
type Settle<T> = (item: T, result: Result) => MirrorCommand[] | null;
type Subject = { productId?: string; groupKey?: string };

const rubles = (kopecks: number) => (kopecks / 100).toFixed(2);
export const errorCode = (result: Result) => (result.ok ? null : result.error.code);

export function itemParams(item: PushedVkItem, photo: VkParams): VkParams {
  return {
    name: item.name,
    description: item.description,
    category_id: item.categoryId,
    price: rubles(item.priceKopecks),
    sku: item.sku,
    stock_amount: item.stockAmount,
    ...photo,
  };
}

/**
 * `market.edit` parameters for the given fields only; album moves are separate calls. An
 * item is only ever switched off by hiding, so sending its availability switches it on.
 */
export function editParams(
  item: DesiredVkItem,
  fields: ReadonlySet<string>,
  photo: VkParams,
): VkParams {
  const all = itemParams(pushedOf(item), {});
  const byField: Record<string, keyof typeof all> = {
    name: 'name',
    description: 'description',
    categoryId: 'category_id',
    priceKopecks: 'price',
    sku: 'sku',
    stockAmount: 'stock_amount',
  };
  const params: VkParams = {};
  for (const [field, param] of Object.entries(byField)) {
    const value = all[param];
    if (fields.has(field) && value !== undefined) params[param] = value;
  }
  if (fields.has('photo') || fields.has('photos')) Object.assign(params, photo);
  if (fields.has('available')) {
    params.stock_amount = item.stockAmount;
    params.deleted = 0;
  }
  return params;
}

/** The calls of one push, recorded chunk by chunk on the mirror state it holds. */
/**
 * What every step of a push shares: recording outcomes on the mirror state it holds (expecting
 * its own revision), sending calls in chunks, turning errors into failures or a stop.
 */
export class PushRecorder {
  protected readonly ownerId: number;
  private readonly chunkSize: number;
  protected mirror: { state: MirrorState; revision: number };

  constructor(
    protected readonly deps: PushDeps,
    protected readonly userId: string,
    private readonly correlationId: string,
    protected readonly report: PushReport,
    mirror: { state: MirrorState; revision: number },
  ) {
    this.ownerId = -deps.groupId;
    this.chunkSize = deps.chunkSize ?? 250;
    this.mirror = mirror;
  }

  get state(): MirrorState {
    return this.mirror.state;
  }

  /** Records the push's start or end (its progress marks) in the mirror stream. */
  async mark(
    command: Extract<MirrorCommand, { type: 'StartVkPush' | 'FinishVkPush' }>,
  ): Promise<void> {
    await this.record([command]);
  }

  /** Appends expecting the revision this push last saw or wrote; never re-reads the stream. */
  protected async record(commands: MirrorCommand[]): Promise<void> {
    if (commands.length === 0) return;
    try {
      const result = await this.deps.commands.handleManyAt(
        mirrorDecider,
        mirrorStream(this.userId),
        this.mirror,
        commands,
        {
          actor: 'system',
          correlationId: this.correlationId,
          // 10,000 create requests at once: in parts (a recorded prefix is settled next run).
          maxEventsPerAppend: 1000,
        },
      );
      this.mirror = { state: result.state, revision: result.revision };
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) throw new StopPush('superseded');
      throw error;
    }
  }

  /** Sends calls in chunks; `settle` turns each chunk's results into commands to record. */
  protected async send<T>(
    items: T[],
    call: (item: T) => VkCall,
    settle: Settle<T>,
    subjects: (item: T) => Subject[],
  ): Promise<void> {
    let recording: Promise<void> = Promise.resolve();
    for (let i = 0; i < items.length; i += this.chunkSize) {
      const chunk = items.slice(i, i + this.chunkSize);
      if (i === 0) await this.ensureCurrent();
      // Sending a chunk overlaps with recording the previous chunk's outcomes, so VK's few
      // requests per second are not left unused while the event store writes.
      const results = await this.deps.gateway.run(chunk.map(call));
      await recording;
      // Our records are all in; if someone else appended meanwhile (a second pusher: the lock
      // was lost), stop before recording this chunk or sending another: within one chunk.
      await this.ensureCurrent();
      const commands: MirrorCommand[] = [];
      let stop: StopPush | null = null;
      results.forEach((result, k) => {
        const item = chunk[k] as T;
        if (!result.ok && (result.error.code === CAPTCHA || result.error.code === AUTH)) {
          stop ??= this.stopFor(result.error, commands);
          return;
        }
        const settled = settle(item, result);
        if (settled) commands.push(...settled);
        else if (!result.ok)
          commands.push(...this.failure(result.error, call(item).method, subjects(item)));
      });
      recording = this.record(commands).then(() => this.deps.onProgress?.(this.report));
      // Marked as handled at once: it fails, if at all, while the next chunk is in flight, and is
      // awaited (and so rethrown) right after. An unobserved rejection would end the process.
      recording.catch(() => undefined);
      if (stop) {
        await recording;
        if ((stop as StopPush).outcome === 'auth_failed') await this.markVkUnhealthy();
        throw stop;
      }
    }
    await recording;
  }

  /** Stops the push when another writer appended to the mirror stream since our last record. */
  private async ensureCurrent(): Promise<void> {
    const newer = await this.deps.store.readStream(mirrorStream(this.userId), {
      fromRevision: this.mirror.revision + 1,
      maxCount: 1,
    });
    if (newer.length > 0) throw new StopPush('superseded');
  }

  private stopFor(error: VkCallError, commands: MirrorCommand[]): StopPush {
    if (error.code === CAPTCHA) {
      commands.push({
        type: 'PauseVkPush',
        userId: this.userId,
        captchaSid: error.captchaSid ?? '',
        captchaImg: error.captchaImg ?? '',
        redirectUri: error.captchaRedirectUri ?? null,
      });
      return new StopPush('paused');
    }
    this.report.failed++;
    commands.push({
      type: 'RecordVkCommandFailed',
      userId: this.userId,
      method: 'execute',
      errorCode: error.code,
      message: error.message,
      retryable: false,
    });
    return new StopPush('auth_failed');
  }

  private failure(error: VkCallError, method: string, subjects: Subject[]): MirrorCommand[] {
    const retryable = TRANSIENT.has(error.code);
    this.report.failed++;
    if (retryable) this.report.retryableFailures++;
    const base = { type: 'RecordVkCommandFailed' as const, userId: this.userId, method };
    const fact = { errorCode: error.code, message: error.message, retryable };
    if (subjects.length === 0) return [{ ...base, ...fact }];
    return subjects.map((s) => ({ ...base, ...s, ...fact }));
  }

  private async markVkUnhealthy(): Promise<void> {
    await this.deps.commands.handle(
      vkAccount,
      vkAccountStream(this.userId),
      {
        type: 'RecordVkHealth',
        userId: this.userId,
        healthy: false,
        reason: 'VK отклонил токен (ошибка 5)',
      },
      { actor: 'system', correlationId: this.correlationId },
    );
  }
}
