/**
 * The salt-api login session of one client: the current token, when to refresh it, and the lock
 * that makes N concurrent requests needing a new token share exactly one `/login`.
 *
 * @module
 */
import type { SaltToken } from './types.ts';

/** Seconds of token life under which the session logs in again before a request. */
export const REFRESH_MARGIN_S = 60;

/** Holds the token; `login` is the function that actually calls `/login`. */
export class SaltSession {
  #token: SaltToken | null = null;
  /** Local clock (ms) from which the token is no longer handed out. */
  #refreshAt = 0;
  /** The lock: the one login in flight, joined by everyone who needs a token meanwhile. */
  #inFlight: Promise<SaltToken> | null = null;

  constructor(
    private readonly login: () => Promise<SaltToken>,
    private readonly now: () => number,
  ) {}

  /** Log in now, or join the login already in flight. */
  renew(): Promise<SaltToken> {
    this.#inFlight ??= this.login()
      .then((token) => this.#adopt(token))
      .finally(() => {
        this.#inFlight = null;
      });
    return this.#inFlight;
  }

  /** The current token while it has more than the margin left, else the (single) login. */
  current(): Promise<SaltToken> {
    return this.#fresh() ? Promise.resolve(this.#token!) : this.renew();
  }

  /**
   * salt-api refused `stale` (401) or ended a stream opened with it: hand out a newer token if
   * another request already obtained one, else log in (once, however many callers ask).
   */
  replace(stale: string): Promise<SaltToken> {
    return this.#fresh() && this.#token!.token !== stale ? Promise.resolve(this.#token!) : this.renew();
  }

  /** Forget the token (logout) and return it. */
  clear(): SaltToken | null {
    const token = this.#token;
    this.#token = null;
    return token;
  }

  #fresh(): boolean {
    return this.#token !== null && this.now() < this.#refreshAt;
  }

  #adopt(token: SaltToken): SaltToken {
    // The lifetime comes from the reply (expire - start) and is counted on the local clock, so a
    // salt-api host whose clock is off does not make every token look expired (or eternal).
    const lifetimeS = token.expire - (typeof token.start === 'number' ? token.start : this.now() / 1000);
    // A token living less than two margins would be refreshed before every request: use half its life.
    const marginS = Math.min(REFRESH_MARGIN_S, lifetimeS / 2);
    this.#token = token;
    this.#refreshAt = this.now() + (lifetimeS - marginS) * 1000;
    return token;
  }
}
