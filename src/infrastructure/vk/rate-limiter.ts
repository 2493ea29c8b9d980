import { createHash } from 'node:crypto';
import Bottleneck from 'bottleneck';

export type VkTokenKind = 'user' | 'community';

/** VK's published limits; requests per second per token. */
export const VK_RATE_LIMITS: Record<VkTokenKind, number> = { user: 3, community: 20 };

/** Spacing a little wider than 1/limit absorbs network jitter between us and VK's clock. */
export const DEFAULT_SAFETY_MARGIN = 0.1;

interface Entry {
  limiter: Bottleneck;
  perSecond: number;
}

/**
 * One limiter per token for the whole process, so every caller holding the same token
 * (jobs, web requests, batchers) shares one allowance. Keyed by a hash: tokens stay out of
 * the map's keys, which may show up in heap dumps or debug output.
 */
const registry = new Map<string, Entry>();

export const tokenKey = (token: string) =>
  createHash('sha256').update(token).digest('hex').slice(0, 24);

function settingsFor(perSecond: number, margin: number): Bottleneck.ConstructorOptions {
  const allowance = Math.max(1, Math.floor(perSecond));
  return {
    minTime: Math.ceil((1000 / perSecond) * (1 + margin)),
    reservoir: allowance,
    reservoirRefreshAmount: allowance,
    reservoirRefreshInterval: 1000,
  };
}

export function limiterForToken(
  token: string,
  perSecond: number,
  margin = DEFAULT_SAFETY_MARGIN,
): Bottleneck {
  const key = tokenKey(token);
  const existing = registry.get(key);
  if (existing) {
    if (existing.perSecond !== perSecond) {
      existing.limiter.updateSettings(settingsFor(perSecond, margin));
      existing.perSecond = perSecond;
    }
    return existing.limiter;
  }
  const limiter = new Bottleneck(settingsFor(perSecond, margin));
  registry.set(key, { limiter, perSecond });
  return limiter;
}

/** Drops a token's limiter (after disconnecting a community, or between tests). */
export async function releaseTokenLimiter(token: string): Promise<void> {
  const key = tokenKey(token);
  const entry = registry.get(key);
  registry.delete(key);
  await entry?.limiter.disconnect(false);
}
