/**
 * @module
 * RuntimeConfig: the one owner of the Salt connection, the pollers and the event-stream consumers,
 * built from the `app_settings` row. `reload(db)` swaps everything for a new *generation*:
 * requests already holding the old client finish on it (its connections close once they drain),
 * the old generation's pollers are aborted and never write after the swap, and a poller never
 * runs twice at once across generations. A failed login (or salt-api going away) is retried with
 * backoff, and the status says why and when.
 */
import { Cron } from 'croner';
import type { Db } from './db/types.ts';
import type { Logger } from './log.ts';
import type { SaltApiClient } from './salt/client.ts';
import type { Runtime, SaltConnectionState, SaltStatus } from './runtime-types.ts';
import { loadRuntimeSettings, type RuntimeSettings } from './settings/service.ts';
import { describeSaltFailure, openSaltConnection, type SaltClientOverrides, type SaltConnection } from './settings/salt-connection.ts';
import type { PollerDefinition, PollerStatus, StreamConsumerDefinition } from './runtime-pollers.ts';
import type { SaltTransportFactory } from './salt/transport.ts';
import { PollerRunner } from './runtime-runner.ts';

export type * from './runtime-pollers.ts';

/** Timers the runtime uses for login retries; tests inject ones they can fire by hand. */
export interface RuntimeTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface RuntimeOptions {
  /** HALITE_SECRET_KEY: decrypts the stored salt-api password. */
  secretKey: string;
  logger: Logger;
  /** Milliseconds since the epoch. */
  now?: () => number;
  timers?: RuntimeTimers;
  /** Delay before login retry `attempt` (0-based); default 2 s, 4 s, 8 s … capped at 5 min. */
  loginBackoffMs?: (attempt: number) => number;
  /** How long a retired client keeps its connections for requests still using it (default: its timeout). */
  retireGraceMs?: number;
  /** Passed to every SaltApiClient (tests shorten retries and timeouts). */
  clientOverrides?: SaltClientOverrides;
  /** How clients reach salt-api (src/start.ts passes the Node transport with TLS options). */
  transport?: SaltTransportFactory;
  masterId?: string;
}

/** Default login backoff: 2 s doubling, capped at five minutes. */
export function loginBackoffMs(attempt: number): number {
  return Math.min(300_000, 2000 * 2 ** Math.max(0, attempt));
}

const realTimers: RuntimeTimers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** Everything one set of settings started; replaced whole on reload. */
interface Generation {
  id: number;
  db: Db;
  settings: RuntimeSettings;
  abort: AbortController;
  conn: SaltConnection | null;
  crons: Map<string, Cron>;
  streams: Map<string, Promise<() => void | Promise<void>>>;
  retryTimer: unknown | null;
  retryAttempt: number;
  /** Pollers and streams run only while the connection is good. */
  active: boolean;
  startedAt: number;
}

export class RuntimeConfig implements Runtime {
  readonly #o: Required<Omit<RuntimeOptions, 'clientOverrides' | 'retireGraceMs' | 'transport'>> & Pick<RuntimeOptions, 'clientOverrides' | 'retireGraceMs' | 'transport'>;
  readonly #pollers: PollerRunner;
  readonly #consumers = new Map<string, StreamConsumerDefinition>();
  readonly #retired = new Set<SaltConnection>();
  #gen: Generation | null = null;
  #nextId = 1;
  #status: SaltStatus;
  #chain: Promise<void> = Promise.resolve();
  #pending: Promise<void> | null = null;
  #stopped = false;

  constructor(opts: RuntimeOptions) {
    this.#o = {
      now: Date.now,
      timers: realTimers,
      loginBackoffMs,
      masterId: 'default',
      ...opts,
    };
    this.#status = { state: 'unconfigured', message: 'Not started yet.', since: this.#iso(), nextRetryAt: null };
    this.#pollers = new PollerRunner({ logger: this.#o.logger, now: this.#o.now, masterId: this.#o.masterId });
  }

  /** The client while connected (or connecting: calls then wait for the login), else null. */
  get salt(): SaltApiClient | null {
    const g = this.#gen;
    if (!g?.conn) return null;
    return this.#status.state === 'ok' || this.#status.state === 'connecting' ? g.conn.client : null;
  }

  /** The settings now applied (null before boot). */
  get settings(): RuntimeSettings | null {
    return this.#gen?.settings ?? null;
  }

  status(): SaltStatus {
    return { ...this.#status };
  }

  /** Reads the settings, connects, starts pollers and consumers. Same as a first reload. */
  boot(db: Db): Promise<void> {
    return this.reload(db);
  }

  /**
   * Applies the settings in `db`: the new generation replaces the old one atomically. Resolves
   * once its first login attempt is over (retries continue in the background). Calls made while
   * a reload waits to start share it, so a burst of saves causes at most two swaps.
   */
  reload(db: Db): Promise<void> {
    if (this.#stopped) return Promise.reject(new Error('RuntimeConfig is stopped'));
    if (this.#pending) return this.#pending;
    const swapped = this.#chain.then(() => {
      this.#pending = null;
      return this.#swap(db);
    });
    this.#chain = swapped.then(() => undefined, () => undefined);
    const done = swapped.then((r) => r.firstLogin);
    this.#pending = done;
    return done;
  }

  /** Stops everything and closes every connection (process shutdown). */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#chain;
    const g = this.#gen;
    this.#gen = null;
    if (g) await this.#teardown(g, { destroy: true });
    await Promise.all([...this.#retired].map((c) => c.destroy()));
    this.#retired.clear();
    await this.#pollers.settle();
  }

  /**
   * A route's Salt call failed: when salt-api is unreachable or refuses the login, the status says
   * so now (not at the next poll) and the login retries begin. Other errors are the route's own.
   */
  noteSaltFailure(e: unknown): void {
    const g = this.#gen;
    if (!g?.active || this.#status.state !== 'ok') return;
    const f = describeSaltFailure(e);
    if (f.kind !== 'error') this.#fail(g, f.kind, f.message);
  }

  /** Registers a feature's poller; it starts with the next connected generation (or now). */
  registerPoller(def: PollerDefinition): void {
    this.#pollers.register(def);
    const g = this.#gen;
    if (g?.active) this.#startPoller(g, def);
  }

  /** Registers an event-stream consumer, started while connected and the stream is enabled. */
  registerStreamConsumer(def: StreamConsumerDefinition): void {
    this.#consumers.set(def.name, def);
    const g = this.#gen;
    if (g?.active && g.settings.eventStreamEnabled) this.#startConsumer(g, def);
  }

  /** The last outcome and staleness of every registered poller. */
  pollerStatus(): PollerStatus[] {
    const g = this.#gen;
    return this.#pollers.status(g?.settings.intervals ?? null, g?.settings.salt ? g.startedAt : null);
  }

  /** Live poller timers (croner jobs), for tests and diagnostics. */
  liveTimers(): number {
    return this.#gen ? [...this.#gen.crons.values()].filter((c) => !c.isStopped()).length : 0;
  }

  /**
   * Runs a poller now (a "refresh" button, tests). Skipped when one of its runs is in flight,
   * or when Salt is not connected.
   */
  async runPoller(name: string): Promise<'ran' | 'skipped'> {
    const g = this.#gen;
    if (!g || !g.active || !g.conn) return 'skipped';
    return this.#pollers.run(name, {
      db: g.db,
      salt: g.conn.client,
      signal: g.abort.signal,
      // A poll that works ends the backoff: the next outage starts again at 2 s.
      onSuccess: () => void (g.retryAttempt = 0),
      onFailure: (f) => {
        if (f.kind !== 'error' && g === this.#gen && g.active) this.#fail(g, f.kind, f.message);
      },
    });
  }

  async #swap(db: Db): Promise<{ firstLogin: Promise<void> }> {
    // Read first: if the database fails, the running generation stays untouched.
    const settings = await loadRuntimeSettings(db, this.#o.secretKey);
    await this.#pollers.loadRecords(db);
    const old = this.#gen;
    const g: Generation = {
      id: this.#nextId++, db, settings, abort: new AbortController(), conn: null, crons: new Map(), streams: new Map(),
      retryTimer: null, retryAttempt: 0, active: false, startedAt: this.#o.now(),
    };
    this.#gen = g;
    if (old) await this.#teardown(old, { destroy: false });
    if (!settings.salt) {
      this.#setStatus('unconfigured', settings.missing, null);
      return { firstLogin: Promise.resolve() };
    }
    g.conn = openSaltConnection(settings.salt, {
      logger: this.#o.logger.child({ component: 'salt' }),
      overrides: this.#o.clientOverrides,
      transport: this.#o.transport,
    });
    this.#setStatus('connecting', null, null);
    return { firstLogin: this.#attemptLogin(g) };
  }

  async #teardown(g: Generation, o: { destroy: boolean }): Promise<void> {
    g.abort.abort();
    g.active = false;
    if (g.retryTimer !== null) this.#o.timers.clearTimeout(g.retryTimer);
    g.retryTimer = null;
    for (const c of g.crons.values()) c.stop();
    g.crons.clear();
    await this.#stopConsumers(g);
    const conn = g.conn;
    if (!conn) return;
    if (o.destroy) return conn.destroy();
    // Requests that read `runtime.salt` before the swap keep using it: close once they are done.
    this.#retired.add(conn);
    const grace = this.#o.retireGraceMs ?? g.settings.salt?.timeoutMs ?? 0;
    const close = () => void conn.close().finally(() => this.#retired.delete(conn));
    if (grace <= 0) close();
    else this.#o.timers.setTimeout(close, grace);
  }

  async #attemptLogin(g: Generation): Promise<void> {
    if (g !== this.#gen || !g.conn) return;
    try {
      await g.conn.client.login();
    } catch (e) {
      if (g !== this.#gen) return;
      const f = describeSaltFailure(e);
      this.#fail(g, f.kind === 'unreachable' ? 'unreachable' : 'login_failed', f.message);
      return;
    }
    if (g !== this.#gen) return;
    // With pollers, the backoff restarts only once a poll works: salt-api may accept logins and
    // still fail every call, and that must not turn into a retry every two seconds.
    if (!this.#pollers.anyEnabled(g.settings.intervals)) g.retryAttempt = 0;
    this.#setStatus('ok', null, null);
    this.#activate(g);
  }

  /** Salt stopped working: pause pollers, say why, and schedule the next login attempt. */
  #fail(g: Generation, state: 'unreachable' | 'login_failed', message: string): void {
    this.#deactivate(g);
    const delay = this.#o.loginBackoffMs(g.retryAttempt++);
    const retryAt = new Date(this.#o.now() + delay).toISOString();
    this.#setStatus(state, message, retryAt);
    if (g.retryTimer !== null) this.#o.timers.clearTimeout(g.retryTimer);
    g.retryTimer = this.#o.timers.setTimeout(() => {
      g.retryTimer = null;
      void this.#attemptLogin(g);
    }, delay);
  }

  #activate(g: Generation): void {
    if (g.active || g !== this.#gen) return;
    g.active = true;
    for (const def of this.#pollers.defs.values()) this.#startPoller(g, def);
    if (g.settings.eventStreamEnabled) for (const def of this.#consumers.values()) this.#startConsumer(g, def);
  }

  #deactivate(g: Generation): void {
    g.active = false;
    for (const c of g.crons.values()) c.stop();
    g.crons.clear();
  }

  #startPoller(g: Generation, def: PollerDefinition): void {
    const intervalS = g.settings.intervals[def.intervalKey];
    g.crons.get(def.name)?.stop();
    g.crons.delete(def.name);
    if (intervalS <= 0) return;
    const cron = new Cron(
      '* * * * * *',
      {
        interval: intervalS,
        startAt: new Date(this.#o.now() + intervalS * 1000),
        protect: true,
        unref: true,
        name: `halite:poller:${def.name}:${g.id}`,
        catch: (e) => this.#o.logger.error('poller crashed', { poller: def.name, error: String(e) }),
      },
      () => this.runPoller(def.name).then(() => undefined),
    );
    g.crons.set(def.name, cron);
    // Run once now, so a save or a boot shows fresh data without waiting a whole interval.
    void this.runPoller(def.name);
  }

  #startConsumer(g: Generation, def: StreamConsumerDefinition): void {
    if (g.streams.has(def.name) || !g.conn) return;
    const signal = g.abort.signal;
    const stop = Promise.resolve()
      .then(() => def.start({ db: g.db, salt: g.conn!.client, logger: this.#o.logger.child({ consumer: def.name }), signal, settings: g.settings, masterId: this.#o.masterId }))
      .catch((e) => {
        this.#o.logger.error('event consumer failed to start', { consumer: def.name, error: String(e) });
        return () => {};
      });
    g.streams.set(def.name, stop);
  }

  async #stopConsumers(g: Generation): Promise<void> {
    const stops = [...g.streams.values()];
    g.streams.clear();
    await Promise.allSettled(stops.map(async (s) => (await s)()));
  }

  #setStatus(state: SaltConnectionState, message: string | null, nextRetryAt: string | null): void {
    const prev = this.#status;
    const since = prev.state === state ? prev.since : this.#iso();
    this.#status = { state, message, since, nextRetryAt };
    if (prev.state !== state) {
      const level = state === 'ok' || state === 'connecting' ? 'info' : 'warn';
      this.#o.logger[level]('salt connection', { state, message, next_retry_at: nextRetryAt });
    }
  }

  #iso(): string {
    return new Date(this.#o.now()).toISOString();
  }
}
