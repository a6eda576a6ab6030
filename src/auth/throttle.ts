/**
 * @module
 * Sign-in throttling: failures are counted per username and per client address in a sliding
 * window; past the limit, attempts are refused with 429 and Retry-After until the window clears.
 * In memory, which suits one process; replicas each keep their own count (stricter, not looser,
 * per replica).
 */

export interface ThrottleOptions {
  windowMs: number;
  maxPerUser: number;
  maxPerAddr: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = { windowMs: 15 * 60 * 1000, maxPerUser: 5, maxPerAddr: 20 };

export class LoginThrottle {
  readonly #failures = new Map<string, number[]>();
  constructor(readonly opts: ThrottleOptions = DEFAULT_THROTTLE) {}

  /** Seconds until an attempt for this user/address is allowed again; 0 when it is allowed now. */
  retryAfter(username: string, addr: string, now = Date.now()): number {
    const u = this.#recent(`u:${username.toLowerCase()}`, now);
    const a = this.#recent(`a:${addr}`, now);
    let until = 0;
    if (u.length >= this.opts.maxPerUser) until = Math.max(until, u[u.length - this.opts.maxPerUser] + this.opts.windowMs);
    if (a.length >= this.opts.maxPerAddr) until = Math.max(until, a[a.length - this.opts.maxPerAddr] + this.opts.windowMs);
    return until > now ? Math.ceil((until - now) / 1000) : 0;
  }

  recordFailure(username: string, addr: string, now = Date.now()): void {
    for (const key of [`u:${username.toLowerCase()}`, `a:${addr}`]) {
      const list = this.#recent(key, now);
      list.push(now);
      this.#failures.set(key, list);
    }
    if (this.#failures.size > 50_000) this.#sweep(now);
  }

  /** A successful sign-in clears the user's count (the address's stays: it may be guessing many users). */
  recordSuccess(username: string): void {
    this.#failures.delete(`u:${username.toLowerCase()}`);
  }

  #recent(key: string, now: number): number[] {
    return (this.#failures.get(key) ?? []).filter((t) => t > now - this.opts.windowMs);
  }

  #sweep(now: number): void {
    for (const [k, v] of this.#failures) if (!v.some((t) => t > now - this.opts.windowMs)) this.#failures.delete(k);
  }
}
