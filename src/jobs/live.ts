/**
 * @module
 * Reads and actions that go to the master: the live job list (`?live=true`, capped at 500), the
 * job detail (`jobs.list_job`: one row per targeted minion, state results parsed) and the kill
 * (`saltutil.kill_job` on the job's minions). Salt errors propagate; routes map them to 502/503.
 */
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/types.ts';
import { activeJobs, type ActiveJobs } from './active.ts';
import { jobsIndex, type JobRow } from './model.ts';
import { jobRow } from './ingest.ts';
import { functionPattern, getIndexedJob, toJob } from './service.ts';
import { hasFailure, isStateFunction, parseStateReturn, sumCounts, type StateCounts } from './state-results.ts';
import { saltTimeArg } from './time.ts';
import { queryTime, type Job, type JobDetail, type JobPage, type JobQuery, type KillResult } from './schemas.ts';

/** What the live reads need from SaltApiClient. */
export interface LiveSalt {
  runnerCall(fun: string, kwarg?: Record<string, unknown>, arg?: unknown[]): Promise<unknown>;
  localCall(tgt: string | string[], fun: string, o?: { arg?: unknown[] }): Promise<Record<string, unknown>>;
}

/** The most jobs a live list returns: the master's job cache can hold far more. */
export const LIVE_CAP = 500;

interface LiveOpts {
  db: Db;
  masterId?: string;
  active?: ActiveJobs;
  now?: () => Date;
}

function isDict(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The list read from `jobs.list_jobs` instead of the index: the newest 500 at most. */
export async function listJobsLive(salt: LiveSalt, q: JobQuery, o: LiveOpts): Promise<JobPage> {
  const masterId = o.masterId ?? 'default';
  const snapshot = (o.active ?? activeJobs).get(masterId);
  const kwarg: Record<string, unknown> = {};
  if (q.function) {
    const p = functionPattern(q.function);
    // Salt matches search_function and search_target with fnmatch.
    kwarg.search_function = 'exact' in p ? p.exact : `${p.prefix}*`;
  }
  if (q.target) kwarg.search_target = q.target;
  if (q.from) kwarg.start_time = saltTimeArg(queryTime(q.from));
  if (q.to) kwarg.end_time = saltTimeArg(queryTime(q.to));
  const listed = await salt.runnerCall('jobs.list_jobs', Object.keys(kwarg).length ? kwarg : undefined);
  const fallback = o.now?.() ?? new Date();
  let rows = (isDict(listed) ? Object.entries(listed) : []).flatMap(([jid, v]) => jobRow(masterId, jid, v, fallback) ?? []);
  if (q.user) rows = rows.filter((r) => r.user === q.user);
  if (q.status) rows = rows.filter((r) => snapshot.jids.has(r.jid) === (q.status === 'running'));
  rows.sort((a, b) => b.startTime!.getTime() - a.startTime!.getTime() || (a.jid < b.jid ? 1 : -1));
  const capped = rows.length > LIVE_CAP;
  const kept = rows.slice(0, LIVE_CAP);
  const page = kept.slice(q.offset, q.offset + q.limit);
  // What the index already knows (minions, result) fills in what list_jobs does not say.
  const known = new Map<string, JobRow>();
  if (page.length) {
    const jids = page.map((r) => r.jid);
    for (const r of await o.db.select().from(jobsIndex).where(and(eq(jobsIndex.masterId, masterId), inArray(jobsIndex.jid, jids)))) {
      known.set(r.jid, r);
    }
  }
  const data = page.map((r) => {
    const k = known.get(r.jid);
    const full: JobRow = {
      minions: [], minionCount: 0, returned: null, succeeded: null, failed: null, summaryAt: null, firstSeenAt: fallback,
      arguments: [], target: '', targetType: 'glob', user: '', ...r, masterId,
      ...(k ? { minions: k.minions, minionCount: k.minionCount, returned: k.returned, succeeded: k.succeeded, failed: k.failed, summaryAt: k.summaryAt } : {}),
    } as JobRow;
    return toJob(full, snapshot.jids.has(r.jid));
  });
  return { data, total: kept.length, total_capped: false, limit: q.limit, offset: q.offset, live: true, capped, active_at: snapshot.at?.toISOString() ?? null };
}

function minionOrder(m: JobDetail['minions'][number]): number {
  if (m.status === 'pending') return 2;
  const failed = m.success === false || (m.parsed !== null && hasFailure(m.parsed));
  return failed ? 0 : 1;
}

/** The job as the master knows it, one row per targeted minion; null for an unknown jid. */
export async function getJobDetail(salt: LiveSalt, jid: string, o: LiveOpts): Promise<JobDetail | null> {
  const masterId = o.masterId ?? 'default';
  const snapshot = (o.active ?? activeJobs).get(masterId);
  const info = await salt.runnerCall('jobs.list_job', undefined, [jid]);
  if (!isDict(info) || 'Error' in info || typeof info.Function !== 'string') return null;
  // jobRow skips Salt's bookkeeping functions for the index; a detail page still shows them.
  const base = { ...jobRow(masterId, jid, { ...info, Function: 'detail' }, o.now?.() ?? new Date())!, function: info.Function };
  const result = isDict(info.Result) ? info.Result : {};
  const targeted = Array.isArray(info.Minions) ? info.Minions.map(String) : [];
  const all = [...new Set([...targeted, ...Object.keys(result)])];
  const isState = isStateFunction(info.Function) || Object.values(result).some((r) => isDict(r) && r.out === 'highstate');
  const minions: JobDetail['minions'] = all.map((mid) => {
    if (!(mid in result)) return { minion: mid, status: 'pending', success: null, retcode: null, return: null, parsed: null };
    const r = result[mid];
    const ret = isDict(r) && 'return' in r ? r.return : r;
    return {
      minion: mid,
      status: 'returned',
      success: isDict(r) && typeof r.success === 'boolean' ? r.success : null,
      retcode: isDict(r) && typeof r.retcode === 'number' ? r.retcode : null,
      return: ret,
      parsed: isState ? parseStateReturn(r) : null,
    };
  });
  minions.sort((a, b) => minionOrder(a) - minionOrder(b) || (a.minion < b.minion ? -1 : a.minion > b.minion ? 1 : 0));
  const returned = minions.filter((m) => m.status === 'returned');
  const running = snapshot.jids.has(jid) || (snapshot.at === null && returned.length < all.length);
  const succeeded = returned.filter((m) => m.success !== false && !(m.parsed && hasFailure(m.parsed))).length;
  const job: Job = toJob(
    {
      ...base,
      masterId,
      arguments: base.arguments ?? [],
      target: base.target ?? '',
      targetType: base.targetType ?? 'glob',
      user: base.user ?? '',
      minions: targeted,
      minionCount: targeted.length,
      returned: running ? null : returned.length,
      succeeded: running ? null : succeeded,
      failed: running ? null : returned.length - succeeded,
      summaryAt: running ? null : (o.now?.() ?? new Date()),
      firstSeenAt: new Date(0),
    } as JobRow,
    running,
  );
  const stateCounts: StateCounts[] = minions.flatMap((m) => (m.parsed?.kind === 'states' ? [m.parsed.counts] : []));
  return { job, minions, is_state: isState, counts: isState ? sumCounts(stateCounts) : null };
}

/**
 * Kills a job: `saltutil.kill_job` on the minions still running it (from the last `jobs.active`),
 * else the minions the index or the master says it targeted. Null when the job is unknown.
 */
export async function killJob(salt: LiveSalt, jid: string, o: LiveOpts): Promise<KillResult | null> {
  const masterId = o.masterId ?? 'default';
  const snapshot = (o.active ?? activeJobs).get(masterId);
  let minions = [...(snapshot.running.get(jid) ?? [])];
  if (minions.length === 0) minions = (await getIndexedJob(o.db, jid, masterId))?.minions ?? [];
  if (minions.length === 0) {
    const info = await salt.runnerCall('jobs.list_job', undefined, [jid]);
    if (!isDict(info) || 'Error' in info) return null;
    minions = Array.isArray(info.Minions) ? info.Minions.map(String) : [];
  }
  if (minions.length === 0) return { jid, minions: [], signalled: {} };
  const signalled = await salt.localCall(minions, 'saltutil.kill_job', { arg: [jid] });
  return { jid, minions, signalled };
}

