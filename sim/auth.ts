/**
 * @module sim/auth
 * salt-api's two kinds of credentials: CherryPy sessions (the 40-hex `/login` token, kept in RAM,
 * 10 h sliding) and the Salt eauth tokens behind them (64 hex, `token_expire` seconds). eauth
 * `auto` accepts any password for the configured user and logs other users in with `perms: {}`;
 * `sharedsecret` checks the secret; anything else fails.
 */
import { randomBytes } from 'node:crypto';

/** A Salt eauth token as `/token` returns it. */
export interface SaltToken { token: string; name: string; eauth: string; start: number; expire: number; perms: string[] | Record<string, never> }

/** A CherryPy session: the salt token it carries and when it was last used. */
export interface Session { id: string; saltToken: string | null; lastSeenMs: number }

/** Authentication settings. */
export interface AuthOptions { now: () => number; username: string; sharedSecret: string; tokenTtlSeconds: number }

/** The CherryPy session lifetime (`Max-Age=36000`), sliding on every request. */
export const SESSION_TTL_SECONDS = 36_000;

const FULL_PERMS = ['.*', '@jobs', '@runner', '@wheel'];

/** Sessions and eauth tokens. */
export class AuthStore {
  private readonly sessions = new Map<string, Session>();
  private readonly tokens = new Map<string, SaltToken>();

  constructor(private readonly opts: AuthOptions) {}

  /** A random CherryPy session id (40 hex). */
  newSessionId(): string { return randomBytes(20).toString('hex'); }

  /** Checks eauth credentials; returns the user's perms or null when authentication fails. */
  authenticate(username: unknown, password: unknown, eauth: unknown): { name: string; perms: SaltToken['perms'] } | null {
    if (typeof username !== 'string' || !username) return null;
    const known = username === this.opts.username;
    if (eauth === 'auto') return { name: username, perms: known ? [...FULL_PERMS] : {} };
    if (eauth === 'sharedsecret' && password === this.opts.sharedSecret) return { name: username, perms: known ? [...FULL_PERMS] : {} };
    return null;
  }

  /** Mints a Salt eauth token (what `/token` returns and `/login` hides behind a session). */
  mintToken(name: string, eauth: string, perms: SaltToken['perms'], ttlSeconds?: number): SaltToken {
    const start = this.opts.now() / 1000;
    const ttl = ttlSeconds !== undefined && Number.isFinite(ttlSeconds) ? ttlSeconds : this.opts.tokenTtlSeconds;
    const token: SaltToken = { token: randomBytes(32).toString('hex'), name, eauth, start, expire: start + ttl, perms };
    this.tokens.set(token.token, token);
    return token;
  }

  /** Creates the session a successful `/login` returns. */
  openSession(saltToken: SaltToken): Session {
    const s: Session = { id: this.newSessionId(), saltToken: saltToken.token, lastSeenMs: this.opts.now() };
    this.sessions.set(s.id, s);
    return s;
  }

  /** The live session for an id (sliding its expiry), or undefined. */
  session(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const s = this.sessions.get(id);
    if (!s) return undefined;
    if (this.opts.now() - s.lastSeenMs > SESSION_TTL_SECONDS * 1000) {
      this.sessions.delete(id);
      return undefined;
    }
    s.lastSeenMs = this.opts.now();
    return s;
  }

  /** The eauth token, whether or not it has expired. */
  token(token: string | null | undefined): SaltToken | undefined {
    return token ? this.tokens.get(token) : undefined;
  }

  /** Whether an eauth token exists and has not expired. */
  tokenValid(token: string | null | undefined): boolean {
    const t = this.token(token);
    return !!t && t.expire * 1000 > this.opts.now();
  }

  /** Whether a session id still designates a session whose eauth token is valid (the /events check). */
  sessionValid(id: string): boolean {
    const s = this.sessions.get(id);
    return !!s && this.tokenValid(s.saltToken);
  }

  /** `/logout`: forgets the session and its token. */
  logout(id: string): void {
    const s = this.sessions.get(id);
    if (s?.saltToken) this.tokens.delete(s.saltToken);
    this.sessions.delete(id);
  }

  /** Forgets every session, like a salt-api restart (raw eauth tokens survive). */
  revokeSessions(): void { this.sessions.clear(); }

  /** Moves every token's expiry into the past. */
  expireTokens(): void {
    const past = this.opts.now() / 1000 - 1;
    for (const t of this.tokens.values()) t.expire = Math.min(t.expire, past);
  }
}
