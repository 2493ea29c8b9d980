import { createHash } from 'node:crypto';
import Bottleneck from 'bottleneck';

export type VkTokenKind = 'user' | 'community';

/** VK's published limits; requests per second per token. */
export const VK_RATE_LIMITS: Record<VkTokenKind, number> = { user: 3, community: 20 };

/** Spacing a little wider than 1/limit keeps requests evenly spread rather than in bursts. */
export const DEFAULT_SAFETY_MARGIN = 0.05;

const WINDOW_MS = 1000;
/** added to the window, for clocks that round differently */
const WINDOW_PAD_MS = 15;

interface Slot {
  /** when the answer came; Infinity while in flight */
  end: number;
  done: Promise<void>;
}

/**
 * The guarantee behind the spacing: a request starts only once the request `limit` places
 * before it was answered more than a window ago. VK counts a request when it arrives, which
 * is after we send it and before we hear back, so however the network or a busy event loop
 * delays single requests, VK never sees more than `limit` of ours in any window.
 */
class AnsweredWindowGate {
  private slots: Slot[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(public limit: number) {}

  run<T>(fn: () => Promise<T>): Promise<T> {
    const reserved = this.queue.then(() => this.reserve());
    this.queue = reserved;
    return reserved.then(async (release) => {
      try {
        return await fn();
      } finally {
        release();
      }
    });
  }

  private async reserve(): Promise<() => void> {
    for (;;) {
      const oldest =
        this.slots.length >= this.limit ? this.slots[this.slots.length - this.limit] : undefined;
      if (!oldest) break;
      if (oldest.end === Infinity) {
        await oldest.done;
        continue;
      }
      const wait = oldest.end + WINDOW_MS + WINDOW_PAD_MS - Date.now();
      if (wait <= 0) break;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    let finish = () => {};
    const slot: Slot = { end: Infinity, done: new Promise<void>((resolve) => (finish = resolve)) };
    this.slots.push(slot);
    if (this.slots.length > this.limit * 2) this.slots.splice(0, this.slots.length - this.limit);
    return () => {
      slot.end = Date.now();
      finish();
    };
  }
}

/** One token's limiter: Bottleneck spacing and reservoir, then the answered-window gate. */
export class TokenLimiter {
  private readonly bottleneck: Bottleneck;
  private readonly gate: AnsweredWindowGate;

  constructor(
    public perSecond: number,
    margin: number,
  ) {
    this.bottleneck = new Bottleneck(settingsFor(perSecond, margin));
    this.gate = new AnsweredWindowGate(allowance(perSecond));
  }

  schedule<T>(fn: () => Promise<T>): Promise<T> {
    return this.bottleneck.schedule(() => this.gate.run(fn));
  }

  update(perSecond: number, margin: number): void {
    this.perSecond = perSecond;
    this.bottleneck.updateSettings(settingsFor(perSecond, margin));
    this.gate.limit = allowance(perSecond);
  }

  async stop(): Promise<void> {
    await this.bottleneck.disconnect(false);
  }
}

const allowance = (perSecond: number) => Math.max(1, Math.floor(perSecond));

function settingsFor(perSecond: number, margin: number): Bottleneck.ConstructorOptions {
  return {
    minTime: Math.ceil((WINDOW_MS / perSecond) * (1 + margin)),
    reservoir: allowance(perSecond),
    reservoirRefreshAmount: allowance(perSecond),
    reservoirRefreshInterval: WINDOW_MS,
  };
}

/**
 * One limiter per token for the whole process, so every caller holding the same token
 * (jobs, web requests, batchers) shares one allowance. Keyed by a hash so tokens stay out of
 * the map's keys, which may show up in heap dumps or debug output.
 */
const registry = new Map<string, TokenLimiter>();

export const tokenKey = (token: string) =>
  createHash('sha256').update(token).digest('hex').slice(0, 24);

export function limiterForToken(
  token: string,
  perSecond: number,
  margin = DEFAULT_SAFETY_MARGIN,
): TokenLimiter {
  const key = tokenKey(token);
  const existing = registry.get(key);
  if (existing) {
    if (existing.perSecond !== perSecond) existing.update(perSecond, margin);
    return existing;
  }
  const limiter = new TokenLimiter(perSecond, margin);
  registry.set(key, limiter);
  return limiter;
}

/** Drops a token's limiter (after disconnecting a community, or between tests). */
export async function releaseTokenLimiter(token: string): Promise<void> {
  const key = tokenKey(token);
  const limiter = registry.get(key);
  registry.delete(key);
  await limiter?.stop();
}
