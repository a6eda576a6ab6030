/**
 * SaltApiClient: the one client Halite uses to talk to salt-api (rest_cherrypy).
 *
 * Web-standard on purpose (fetch, AbortSignal, TextDecoder): the Node-only TLS transport is
 * injected as `fetch` (see transport.ts), so this module can run on Deno later.
 *
 * Token handling (session.ts): lazy login on first use; a single in-flight login is the lock, so
 * N concurrent requests with a missing, expiring or rejected token cause exactly one `/login`.
 * Response shapes follow the Salt 3007 recordings (`../shared/salt-api-recordings/README.md`).
 *
 * @module
 */
import { SaltApiError, SaltApiUnavailable } from './errors.ts';
import { streamSaltEvents } from './events.ts';
import { SaltSession } from './session.ts';
import type {
  LocalAsyncOptions,
  LocalAsyncResult,
  LocalCallOptions,
  SaltEvent,
  SaltLogger,
  SaltToken,
  StreamEventsOptions,
} from './types.ts';
import { backoffDelay, describeNetworkError, expectDict, firstLine, localLow, parseJsonBody, readReturn } from './wire.ts';

export type { SaltToken, SaltEvent, SaltLogger, LocalCallOptions, LocalAsyncOptions, LocalAsyncResult } from './types.ts';
export type { SaltEventStreamStatus, SaltEventStreamState, StreamEventsOptions } from './types.ts';
export { SaltApiError, SaltApiUnavailable } from './errors.ts';
export { backoffDelay } from './wire.ts';

/** Options of {@link SaltApiClient}. */
export interface SaltApiClientOptions {
  /** Base URL of salt-api, e.g. `https://salt.example:8000` (a trailing slash is ignored). */
  url: string;
  username: string;
  password: string;
  /** Salt's eauth backend: `auto`, `pam`, `sharedsecret`, `ldap`, ... */
  eauth: string;
  /** Total time allowed for one HTTP request, headers and body (default 30000 ms). */
  timeoutMs?: number;
  /** Connect timeout of the default transport (default 5000 ms). */
  connectTimeoutMs?: number;
  /** Verify salt-api's TLS certificate (default true). */
  verifyTls?: boolean;
  /** PEM text of the CA bundle to trust. */
  caBundle?: string | null;
  /**
   * The transport. Defaults to the platform's `fetch`, which always verifies TLS against the system
   * store: for `verifyTls: false` or a CA bundle pass `createSaltFetch(...)` from ./transport.ts (Node).
   */
  fetch?: typeof fetch;
  /** Used for every backoff wait; tests inject one that records the delays. */
  sleep?: (ms: number) => Promise<void>;
  /** Milliseconds since the epoch; tests inject one to age the token. */
  now?: () => number;
  logger?: SaltLogger;
  /** Retries after a 5xx or a network failure (default 3). */
  maxRetries?: number;
}

/**
 * How a request may be retried.
 * - `call`: synchronous calls, reads, login: retried on network failures (before or after the
 *   request was sent) and on 5xx, as DESIGN.md asks.
 * - `dispatch`: `local_async` is not idempotent; a retry after the request may have reached Salt
 *   could start the job twice. It is retried only when the connection never opened (refused,
 *   DNS, TLS, connect timeout), never on 5xx, resets or total timeouts.
 */
type RetryMode = 'call' | 'dispatch';

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const silentLogger: SaltLogger = { warn() {}, info() {} };

/** The salt-api client. One instance is shared by the whole process (RuntimeConfig owns it). */
export class SaltApiClient {
  /** Base URL without a trailing slash. */
  readonly url: string;
  /** Counters for tests and diagnostics: `/login` calls made, and requests re-sent (after a
   *  5xx, a network failure, or the one retry after a 401). */
  readonly stats = { logins: 0, retries: 0 };

  readonly #opts: SaltApiClientOptions;
  readonly #fetch: typeof fetch;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #now: () => number;
  readonly #log: SaltLogger;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #session: SaltSession;

  constructor(opts: SaltApiClientOptions) {
    this.#opts = opts;
    this.url = opts.url.replace(/\/+$/, '');
    if (!opts.fetch && (opts.verifyTls === false || opts.caBundle)) {
      // The platform fetch cannot express either; silently ignoring them would fail obscurely later.
      throw new TypeError('verifyTls: false and caBundle need a transport that supports them: pass fetch: createSaltFetch(...)');
    }
    this.#fetch = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#sleep = opts.sleep ?? defaultSleep;
    this.#now = opts.now ?? Date.now;
    this.#log = opts.logger ?? silentLogger;
    this.#timeoutMs = opts.timeoutMs ?? 30_000;
    this.#maxRetries = opts.maxRetries ?? 3;
    this.#session = new SaltSession(() => this.#doLogin(), this.#now);
  }

  /** Log in now (joining a login already in flight) and return the fresh token. */
  login(): Promise<SaltToken> {
    return this.#session.renew();
  }

  /** Clear the token on salt-api and forget it locally. A token salt-api already dropped is fine. */
  async logout(): Promise<void> {
    const token = this.#session.clear();
    if (!token) return;
    try {
      await this.#send('/logout', undefined, { mode: 'call', token: token.token });
    } catch (err) {
      if (!(err instanceof SaltApiError && err.status === 401)) throw err;
    }
  }

  /** `client: local`, synchronous: `{minion_id: result}` (or `{mid: {ret, retcode, jid}}` with fullReturn). */
  async localCall(tgt: string | string[], fun: string, o: LocalCallOptions = {}): Promise<Record<string, unknown>> {
    const ret = await this.#call({ client: 'local', ...localLow(tgt, fun, o) });
    return expectDict(ret, 'local');
  }

  /** `client: local_async`: publishes the job and returns its jid and the minions it targeted. */
  async localAsync(tgt: string | string[], fun: string, o: LocalAsyncOptions = {}): Promise<LocalAsyncResult> {
    const low = { client: 'local_async', ...localLow(tgt, fun, o), ...(o.batch ? { batch: o.batch } : {}) };
    const ret = expectDict(await this.#call(low, 'dispatch'), 'local_async');
    if (typeof ret.jid !== 'string' || !ret.jid) {
      // Salt answers [{}] when the publish was refused or nothing could be published.
      throw new SaltApiError(200, JSON.stringify(ret), `salt-api local_async started no job: ${JSON.stringify(ret)}`);
    }
    const minions = Array.isArray(ret.minions) ? ret.minions.map(String) : [];
    return { jid: ret.jid, minions };
  }

  /** `client: local_batch`: Salt returns one `{mid: ret}` per minion; this merges them into one map. */
  async localBatch(
    tgt: string | string[],
    fun: string,
    o: LocalCallOptions & { batch: string },
  ): Promise<Record<string, unknown>> {
    const body = await this.#request([{ client: 'local_batch', ...localLow(tgt, fun, o), batch: o.batch }], 'call');
    const merged: Record<string, unknown> = {};
    for (const item of readReturn(body)) Object.assign(merged, expectDict(item, 'local_batch'));
    return merged;
  }

  /** `client: runner`: the runner's value as it is (list, dict, string, ...). */
  runnerCall(fun: string, kwarg?: Record<string, unknown>, arg?: unknown[]): Promise<unknown> {
    return this.#call({ client: 'runner', fun, ...(arg ? { arg } : {}), ...(kwarg ? { kwarg } : {}) });
  }

  /**
   * `client: runner_async`: starts a runner on the master and answers at once with its jid
   * (`{tag: "salt/run/<jid>", jid}`); its result comes later through jobs.lookup_jid or the event bus.
   * Not retried after the request may have reached salt-api, like local_async.
   */
  async runnerAsync(fun: string, kwarg?: Record<string, unknown>): Promise<{ jid: string; tag: string }> {
    const ret = expectDict(await this.#call({ client: 'runner_async', fun, ...(kwarg ? { kwarg } : {}) }, 'dispatch'), 'runner_async');
    if (typeof ret.jid !== 'string' || !ret.jid) {
      throw new SaltApiError(200, JSON.stringify(ret), `salt-api runner_async started no job: ${JSON.stringify(ret)}`);
    }
    return { jid: ret.jid, tag: String(ret.tag ?? '') };
  }

  /**
   * `client: wheel`: unwraps Salt's double nesting (`return[0].data.return`). A wheel exception
   * is HTTP 200 with `success: false` and a traceback string; that becomes a SaltApiError.
   */
  async wheelCall(fun: string, kwarg: Record<string, unknown> = {}): Promise<unknown> {
    // Wheel functions read their keyword arguments from the top level of the lowstate (`match`,
    // `include_accepted`), which is how the recordings call them.
    const outer = expectDict(await this.#call({ ...kwarg, client: 'wheel', fun }), 'wheel');
    const data = outer.data;
    if (!data || typeof data !== 'object' || !('return' in data)) {
      throw new SaltApiError(200, JSON.stringify(outer), `salt-api wheel ${fun}: unexpected reply shape`);
    }
    const { success, return: value } = data as { success?: unknown; return: unknown };
    if (success === false) {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      throw new SaltApiError(200, text, `salt-api wheel ${fun} failed: ${firstLine(text)}`);
    }
    return value;
  }

  /** Connected minions and their IPs, from the runner `manage.present` with `show_ip: true`. */
  async listConnectedMinions(): Promise<Record<string, string>> {
    const ret = await this.runnerCall('manage.present', { show_ip: true });
    // Without show_ip (or from an older master) the reply is a sorted list of ids.
    if (Array.isArray(ret)) return Object.fromEntries(ret.map((id) => [String(id), '']));
    const dict = expectDict(ret, 'manage.present');
    return Object.fromEntries(Object.entries(dict).map(([id, ip]) => [id, ip == null ? '' : String(ip)]));
  }

  /**
   * The runner `jobs.lookup_jid`, raw: `{mid: ret}`, or `{outputter: 'highstate', data: {...}}`
   * for state jobs, or `{}` for unknown and killed jobs.
   */
  async lookupJid(jid: string): Promise<Record<string, unknown>> {
    return expectDict(await this.runnerCall('jobs.lookup_jid', undefined, [jid]), 'jobs.lookup_jid');
  }

  /** `saltutil.kill_job` on the target (default `*`): `{mid: "Signal 9 sent to job <jid> at pid N"}`. */
  killJob(jid: string, tgt = '*'): Promise<Record<string, unknown>> {
    return this.localCall(tgt, 'saltutil.kill_job', { arg: [jid] });
  }

  /**
   * Follow salt-api's `/events`: yields `{tag, data}` in order, reconnects with backoff when the
   * stream drops, logs in again when it ends because the token expired, stops when `signal` aborts.
   */
  streamEvents(o: StreamEventsOptions = {}): AsyncIterable<SaltEvent> {
    return streamSaltEvents(
      {
        url: this.url,
        fetch: this.#fetch,
        sleep: this.#sleep,
        logger: this.#log,
        timeoutMs: this.#timeoutMs,
        token: async (stale) => (await (stale ? this.#session.replace(stale) : this.#session.current())).token,
      },
      o,
    );
  }

  async #doLogin(): Promise<SaltToken> {
    const { username, password, eauth } = this.#opts;
    this.stats.logins++;
    const body = await this.#send('/login', { username, password, eauth }, { mode: 'call', token: null });
    const token = readReturn(body)[0] as SaltToken | undefined;
    if (!token || typeof token.token !== 'string' || typeof token.expire !== 'number') {
      throw new SaltApiError(200, '', 'salt-api /login: reply has no token');
    }
    if (!Array.isArray(token.perms) || token.perms.length === 0) {
      this.#log.warn('salt-api login has no permissions; every call will be refused', { user: token.user, eauth });
    }
    this.#log.info('salt-api login', { user: token.user, eauth: token.eauth, expire: token.expire });
    return token;
  }

  /** POST one lowstate chunk to `/` and return `return[0]`. */
  async #call(low: Record<string, unknown>, mode: RetryMode = 'call'): Promise<unknown> {
    return readReturn(await this.#request([low], mode))[0];
  }

  /** An authenticated POST /: one forced re-login and one retry when salt-api answers 401. */
  async #request(body: unknown, mode: RetryMode): Promise<unknown> {
    const token = await this.#session.current();
    try {
      return await this.#send('/', body, { mode, token: token.token });
    } catch (err) {
      if (!(err instanceof SaltApiError && err.status === 401)) throw err;
      this.#log.warn('salt-api refused the token; logging in again', { status: 401 });
      const fresh = await this.#session.replace(token.token);
      this.stats.retries++;
      return await this.#send('/', body, { mode, token: fresh.token });
    }
  }

  /** One POST with the retry policy for 5xx and network failures; returns the parsed JSON. */
  async #send(path: string, body: unknown, o: { mode: RetryMode; token: string | null }): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { Accept: 'application/json' };
      // A body-less POST is sent without Content-Type, as recorded: CherryPy would try to parse
      // an empty JSON document otherwise.
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      if (o.token) headers['X-Auth-Token'] = o.token;
      let res: Response;
      let text: string;
      try {
        res = await this.#fetch(this.url + path, {
          method: 'POST',
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(this.#timeoutMs),
        });
        text = await res.text();
      } catch (err) {
        const failure = describeNetworkError(err, this.#timeoutMs);
        const retryable = o.mode === 'call' || !failure.mayHaveReachedSalt;
        if (retryable && attempt < this.#maxRetries) {
          await this.#backoff(attempt, path, failure.reason);
          continue;
        }
        const tries = attempt + 1;
        throw new SaltApiUnavailable(
          `salt-api at ${this.url} unavailable: ${failure.reason} (${tries} attempt${tries > 1 ? 's' : ''})`,
          err,
        );
      }
      if (res.status >= 500 && o.mode === 'call' && attempt < this.#maxRetries) {
        await this.#backoff(attempt, path, `HTTP ${res.status}`);
        continue;
      }
      return parseJsonBody(res.status, res.headers.get('content-type'), text, path);
    }
  }

  async #backoff(attempt: number, path: string, reason: string): Promise<void> {
    const delay = backoffDelay(attempt);
    this.stats.retries++;
    this.#log.warn('salt-api request failed; retrying', { path, reason, attempt: attempt + 1, delayMs: delay });
    await this.#sleep(delay);
  }
}
