import { vkError, type SimError } from './errors.js';
import type { TokenKind } from './state.js';

export type FaultCode = 5 | 6 | 9 | 10 | 14;

/**
 * How error 14 looks: `redirect` as VK sends it today (a `redirect_uri` to the VK ID captcha
 * page and `remixstlid`, no `captcha_sid`/`captcha_img`); `legacy` the old text captcha.
 */
export type CaptchaShape = 'redirect' | 'legacy';

export interface FaultRule {
  code: FaultCode;
  /** error 14 only; `redirect` by default */
  captcha?: CaptchaShape;
  /** how many more matching calls fail */
  count: number;
  /** only calls of this method (inner execute calls included); any HTTP request when absent */
  method?: string;
}

export interface RandomFaults {
  fraction: number;
  codes: FaultCode[];
  seed: number;
}

/**
 * Faults below the API: `http500` answers 500 without doing the call, `drop` closes the
 * connection before the call, `drop_after` does the call and closes the connection before the
 * answer (the caller cannot know it happened).
 */
export type HttpFaultKind = 'http500' | 'drop' | 'drop_after';

export interface HttpFaults {
  fraction: number;
  kinds: HttpFaultKind[];
  seed: number;
}

export interface RateLimits {
  user: number;
  community: number;
  windowMs: number;
}

export interface CallLogEntry {
  at: number;
  method: string;
  errorCode: number | null;
  /** inner calls of an execute, in order */
  inner?: Array<{ method: string; errorCode: number | null }>;
}

export interface CallLog {
  httpRequests: number;
  /** API calls per method, inner execute calls included */
  calls: Record<string, number>;
  /** answers per top-level error code */
  errors: Record<string, number>;
  /** errors of inner execute calls per code */
  innerErrors: Record<string, number>;
  entries: CallLogEntry[];
}

/** Deterministic pseudo-random numbers so a seeded fault run can be repeated. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const emptyLog = (): CallLog => ({
  httpRequests: 0,
  calls: {},
  errors: {},
  innerErrors: {},
  entries: [],
});

/** Per-token request rate, injected faults and the record of what was asked. */
export class Traffic {
  limits: RateLimits = { user: 3, community: 20, windowMs: 1000 };
  private faults: FaultRule[] = [];
  private random: { fraction: number; codes: FaultCode[]; next: () => number } | null = null;
  private http: { fraction: number; kinds: HttpFaultKind[]; next: () => number } | null = null;
  private recent = new Map<string, number[]>();
  private captchaSeq = 1;
  log: CallLog = emptyLog();

  setLimits(limits: Partial<RateLimits>): void {
    this.limits = { ...this.limits, ...limits };
  }

  addFault(rule: FaultRule): void {
    this.faults.push({ ...rule });
  }

  setRandomFaults(random: RandomFaults | null): void {
    this.random = random && { ...random, next: mulberry32(random.seed) };
  }

  clearFaults(): void {
    this.faults = [];
    this.random = null;
    this.http = null;
  }

  setHttpFaults(http: HttpFaults | null): void {
    this.http = http && { ...http, next: mulberry32(http.seed) };
  }

  /** The HTTP fault for the next API request, if one is due. */
  httpFault(): HttpFaultKind | null {
    const http = this.http;
    if (!http || http.kinds.length === 0 || http.next() >= http.fraction) return null;
    return http.kinds[Math.floor(http.next() * http.kinds.length)] ?? 'http500';
  }

  resetLog(): void {
    this.log = emptyLog();
  }

  /** Forgets recent requests, so a reset simulator starts every token with a full allowance. */
  resetRates(): void {
    this.recent.clear();
  }

  /** Sliding one-window count; a refused request does not use up the allowance. */
  checkRate(token: string, kind: TokenKind, now: number): void {
    const limit = kind === 'user' ? this.limits.user : this.limits.community;
    const since = now - this.limits.windowMs;
    const times = (this.recent.get(token) ?? []).filter((t) => t > since);
    if (times.length >= limit) {
      this.recent.set(token, times);
      throw vkError(6);
    }
    times.push(now);
    this.recent.set(token, times);
  }

  /** The injected error for this call, if one is due. `topLevel` marks the HTTP request. */
  faultFor(method: string, topLevel: boolean): SimError | null {
    const index = this.faults.findIndex(
      (f) => f.count > 0 && (f.method === undefined ? topLevel : f.method === method),
    );
    if (index >= 0) {
      const rule = this.faults[index]!;
      rule.count -= 1;
      if (rule.count <= 0) this.faults.splice(index, 1);
      return this.errorFor(rule.code, rule.captcha);
    }
    if (topLevel && this.random && this.random.next() < this.random.fraction) {
      const codes = this.random.codes;
      return this.errorFor(codes[Math.floor(this.random.next() * codes.length)] ?? 10);
    }
    return null;
  }

  private errorFor(code: FaultCode, captcha: CaptchaShape = 'redirect'): SimError {
    if (code === 14) {
      const sid = String(this.captchaSeq++);
      if (captcha === 'legacy') {
        return vkError(14, undefined, {
          captcha_sid: sid,
          captcha_img: `https://api.vk.com/captcha.php?sid=${sid}`,
        });
      }
      // The shape of VK's documentation (dev.vk.com/ru/api/captcha-error): a session token
      // of its own per captcha in the page address, and the cookie value to send along.
      const session = `sim-captcha-${sid}-${Math.random().toString(36).slice(2, 10)}`;
      return vkError(14, undefined, {
        redirect_uri: `https://id.vk.com/not_robot_captcha?domain=vk.com&session_token=${session}&variant=popup&blank=1`,
        remixstlid: 9_000_000_000_000 + Number(sid),
      });
    }
    if (code === 5) return vkError(5, 'invalid session.');
    return vkError(code);
  }

  record(entry: CallLogEntry): void {
    const log = this.log;
    log.httpRequests += 1;
    log.entries.push(entry);
    if (log.entries.length > 10_000) log.entries.shift();
    log.calls[entry.method] = (log.calls[entry.method] ?? 0) + 1;
    if (entry.errorCode !== null) {
      log.errors[entry.errorCode] = (log.errors[entry.errorCode] ?? 0) + 1;
    }
    for (const inner of entry.inner ?? []) {
      log.calls[inner.method] = (log.calls[inner.method] ?? 0) + 1;
      if (inner.errorCode !== null) {
        log.innerErrors[inner.errorCode] = (log.innerErrors[inner.errorCode] ?? 0) + 1;
      }
    }
  }
}
