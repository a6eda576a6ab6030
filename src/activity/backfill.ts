/**
 * @module
 * After a gap in the event stream (salt-api restarted, the network dropped, Halite was down),
 * the jobs started meanwhile are recovered from the runner `jobs.list_jobs` with `start_time`, and
 * stored as `job.new` events flagged `backfilled`, so the feed has no silent hole. Their returns
 * are not recovered here: the job pages read them from Salt's job cache.
 */
import type { SaltApiClient } from '../salt/client.ts';
import type { NormalizedEvent } from './normalize.ts';

/** Most jobs one backfill adds (newest kept): a long outage must not flood the feed. */
export const BACKFILL_LIMIT = 2000;

/** One entry of `jobs.list_jobs` (recorded shape). */
interface ListedJob {
  Function?: unknown;
  Arguments?: unknown;
  Target?: unknown;
  'Target-type'?: unknown;
  User?: unknown;
  StartTime?: unknown;
}

/**
 * `start_time` for jobs.list_jobs: Salt parses it with dateutil in the master's local time; like
 * `_stamp`, Halite assumes the master runs in UTC.
 */
export function saltStartTime(d: Date): string {
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

/** A jid is `YYYYMMDDhhmmssffffff` in master time: its start time, read as UTC. */
export function jidTime(jid: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{3})\d{3}$/.exec(jid);
  if (!m) return null;
  const d = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${m[7]}Z`);
  return Number.isNaN(d.getTime()) ? null : d;
}

/**
 * The `job.new` events for jobs Salt started since `since`, oldest first, without the jids in
 * `skip` and without runner and wheel jobs (Halite's own pollers are runners and wheel calls).
 */
export async function listMissedJobs(salt: SaltApiClient, since: Date, skip: (jid: string) => boolean): Promise<NormalizedEvent[]> {
  const ret = await salt.runnerCall('jobs.list_jobs', { start_time: saltStartTime(since) });
  if (!ret || typeof ret !== 'object' || Array.isArray(ret)) return [];
  const out: NormalizedEvent[] = [];
  for (const [jid, raw] of Object.entries(ret as Record<string, ListedJob>)) {
    if (!raw || typeof raw !== 'object') continue;
    const fun = typeof raw.Function === 'string' ? raw.Function : null;
    if (!fun || fun.startsWith('runner.') || fun.startsWith('wheel.') || fun === 'saltutil.find_job') continue;
    const at = jidTime(jid);
    if (!at || at < since || skip(jid)) continue;
    const tgt = raw.Target ?? null;
    const user = typeof raw.User === 'string' ? raw.User : null;
    out.push({
      kind: 'job.new', category: 'job', tag: `salt/job/${jid}/new`, at, jid, minion: null, fun, outcome: null,
      summary: `${fun} on ${typeof tgt === 'string' ? tgt : JSON.stringify(tgt)}${user ? ` by ${user}` : ''} (recovered after a gap)`,
      data: { tgt, tgt_type: typeof raw['Target-type'] === 'string' ? raw['Target-type'] : null, user, arg: raw.Arguments ?? [] },
      backfilled: true,
    });
  }
  out.sort((a, b) => (a.jid! < b.jid! ? -1 : a.jid! > b.jid! ? 1 : 0));
  return out.slice(-BACKFILL_LIMIT);
}
