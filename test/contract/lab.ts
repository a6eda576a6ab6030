/**
 * Shared pieces of the contract suite: which real salt-api to talk to, and how to wait for it.
 *
 * The suite runs only when `HALITE_TEST_SALT_API_URL` points at a real salt-api (rest_cherrypy),
 * normally the one `scripts/salt-lab start` brings up: `eval "$(scripts/salt-lab env)"`.
 * The lab has two accepted minions (web01, db01) and one minion whose key it leaves pending
 * (pend01); the key scenarios accept, reject and delete that key and wait for it to come back.
 *
 * @module
 */
import { SaltApiClient, type SaltApiClientOptions } from '../../src/salt/client.ts';

/** Where the real salt-api is and how to log in, read from the environment. */
export interface ContractEnv {
  url: string;
  username: string;
  password: string;
  eauth: string;
}

/** The environment of the suite, or `null` when no real salt-api was configured. */
export function contractEnv(env: NodeJS.ProcessEnv = process.env): ContractEnv | null {
  const url = env.HALITE_TEST_SALT_API_URL?.trim();
  if (!url) return null;
  return {
    url,
    username: env.HALITE_TEST_SALT_USERNAME || 'saltdev',
    password: env.HALITE_TEST_SALT_PASSWORD || 'saltdev',
    eauth: env.HALITE_TEST_SALT_EAUTH || 'auto',
  };
}

/** The one-line reason the suite is skipped, or `undefined` when it runs. */
export function skipReason(env: ContractEnv | null): string | undefined {
  return env
    ? undefined
    : 'HALITE_TEST_SALT_API_URL is not set (run scripts/salt-lab start and eval "$(scripts/salt-lab env)")';
}

/** A client for the lab; `overrides` lets a scenario inject e.g. a no-op sleep. */
export function labClient(env: ContractEnv, overrides: Partial<SaltApiClientOptions> = {}): SaltApiClient {
  return new SaltApiClient({ ...env, timeoutMs: 60_000, ...overrides });
}

/** The minions the lab accepts, and the one whose key it leaves pending. */
export const ACCEPTED = ['db01', 'web01'] as const;
export const PENDING = 'pend01';

/** Salt's jid: 20 digits, `YYYYMMDDhhmmssffffff` in the master's local time. */
export const JID = /^\d{20}$/;

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Poll `probe` until it returns something other than `undefined`, then return that.
 *
 * Real Salt is asynchronous (job returns, key re-submission, process kills): polling with a short
 * interval and a hard deadline is the honest way to wait for it. The last probe error (if any)
 * is part of the timeout message so a failure explains itself.
 */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  { timeoutMs = 30_000, intervalMs = 250 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) {
      const why = last instanceof Error ? `: last error ${last.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await pause(intervalMs);
  }
}

/**
 * `jobs.list_jobs`' `start_time` for the second a jid was minted: `YYYY-MM-DD hh:mm:ss`.
 * Taken from the jid, not from our clock, because both are in the master's local time.
 */
export function jidStartTime(jid: string, plusSeconds = 0): string {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})/.exec(jid);
  if (!m) throw new Error(`not a jid: ${jid}`);
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  // Date.UTC only as a calendar calculator (no zone is involved): it carries seconds into minutes.
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi, s + plusSeconds));
  const p = (n: number) => String(n).padStart(2, '0');
  return `${t.getUTCFullYear()}-${p(t.getUTCMonth() + 1)}-${p(t.getUTCDate())} ${p(t.getUTCHours())}:${p(t.getUTCMinutes())}:${p(t.getUTCSeconds())}`;
}

/** The key lists of `key.list_all`, as the lab's wheel client returns them. */
export interface KeyLists {
  minions: string[];
  minions_pre: string[];
  minions_rejected: string[];
  minions_denied: string[];
  local: string[];
}

/** `key.list_all` through the wheel client (already unwrapped by the client). */
export async function listKeys(c: SaltApiClient): Promise<KeyLists> {
  return (await c.wheelCall('key.list_all')) as KeyLists;
}

/**
 * Whether `id` answers a test.ping within `waitMs`, dispatched with local_async and read back
 * with lookup_jid. Used instead of a synchronous ping while a minion may still be connecting: a
 * synchronous call that misses a minion blocks for Salt's timeout plus gather_job_timeout (~13 s),
 * whereas a missed publish here costs only `waitMs`.
 */
export async function answersPing(c: SaltApiClient, id: string, waitMs = 2000): Promise<true | undefined> {
  const job = await c.localAsync(id, 'test.ping');
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    if ((await c.lookupJid(job.jid))[id] === true) return true;
    await pause(200);
  }
  return undefined;
}
