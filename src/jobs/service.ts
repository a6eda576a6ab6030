/**
 * @module
 * Reads of the jobs index: the filtered, paginated list behind `GET /api/jobs` and the recent jobs
 * of one minion (used by the minion page). Status comes from the in-memory running set, never from
 * the database, so it is as fresh as the last `jobs.active` poll.
 */
import { and, arrayContains, count, desc, eq, gte, inArray, like, lte, notInArray, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/types.ts';
import { jobsIndex, type JobRow } from './model.ts';
import { activeJobs, type ActiveJobs } from './active.ts';
import { queryTime, type Job, type JobPage, type JobQuery } from './schemas.ts';

/** The public shape of an index row. */
export function toJob(row: JobRow, running: boolean): Job {
  return {
    jid: row.jid,
    function: row.function,
    arguments: row.arguments,
    target: row.target,
    target_type: row.targetType,
    user: row.user,
    start_time: row.startTime.toISOString(),
    minions: row.minions,
    minion_count: row.minionCount,
    status: running ? 'running' : 'complete',
    result:
      row.summaryAt && row.returned !== null
        ? { returned: row.returned, succeeded: row.succeeded ?? 0, failed: row.failed ?? 0 }
        : null,
  };
}

/** `state.` or `test.*` mean a prefix; anything else is an exact function name. */
export function functionPattern(fn: string): { prefix: string } | { exact: string } {
  if (fn.endsWith('*')) return { prefix: fn.slice(0, -1) };
  if (fn.endsWith('.')) return { prefix: fn };
  return { exact: fn };
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (m) => `\\${m}`);
}

/**
 * The most recent jobs that targeted `minionId`, newest first. Only jobs whose minions are known
 * (enriched from `jobs.list_job`) can match.
 */
export async function recentJobsForMinion(
  db: Db,
  minionId: string,
  limit = 20,
  opts: { masterId?: string; active?: ActiveJobs } = {},
): Promise<Job[]> {
  const masterId = opts.masterId ?? 'default';
  const active = opts.active ?? activeJobs;
  const rows = await db
    .select()
    .from(jobsIndex)
    .where(and(eq(jobsIndex.masterId, masterId), arrayContains(jobsIndex.minions, [minionId])))
    .orderBy(desc(jobsIndex.startTime), desc(jobsIndex.jid))
    .limit(limit);
  return rows.map((r) => toJob(r, active.isRunning(r.jid, masterId)));
}

/** The WHERE clause of a list query. */
function listWhere(masterId: string, q: JobQuery, running: ReadonlySet<string>): SQL | undefined {
  const where: SQL[] = [eq(jobsIndex.masterId, masterId)];
  if (q.function) {
    const p = functionPattern(q.function);
    where.push('exact' in p ? eq(jobsIndex.function, p.exact) : like(jobsIndex.function, `${escapeLike(p.prefix)}%`));
  }
  if (q.target) where.push(eq(jobsIndex.target, q.target));
  if (q.user) where.push(eq(jobsIndex.user, q.user));
  if (q.minion) where.push(arrayContains(jobsIndex.minions, [q.minion]));
  if (q.from) where.push(gte(jobsIndex.startTime, queryTime(q.from)));
  if (q.to) where.push(lte(jobsIndex.startTime, queryTime(q.to)));
  if (q.status === 'running') where.push(inArray(jobsIndex.jid, [...running]));
  if (q.status === 'complete' && running.size > 0) where.push(notInArray(jobsIndex.jid, [...running]));
  return and(...where);
}

/** The most matches `listJobs` counts exactly. */
export const COUNT_CAP = 10_000;

/** One page of the index, newest first, with the total matching count. */
export async function listJobs(
  db: Db,
  q: JobQuery,
  opts: { masterId?: string; active?: ActiveJobs } = {},
): Promise<JobPage> {
  const masterId = opts.masterId ?? 'default';
  const snapshot = (opts.active ?? activeJobs).get(masterId);
  const where = listWhere(masterId, q, snapshot.jids);
  // Counting every match of a 100k-row index costs more than the page itself; past the cap the
  // pager says "10000+" (bench/jobs-index.ts).
  const bounded = db.select({ one: sql`1` }).from(jobsIndex).where(where).limit(COUNT_CAP + 1).as('bounded');
  const [rows, [{ n }]] = await Promise.all([
    db
      .select()
      .from(jobsIndex)
      .where(where)
      .orderBy(desc(jobsIndex.startTime), desc(jobsIndex.jid))
      .limit(q.limit)
      .offset(q.offset),
    db.select({ n: count() }).from(bounded),
  ]);
  const total = Number(n);
  return {
    data: rows.map((r) => toJob(r, snapshot.jids.has(r.jid))),
    total: Math.min(total, COUNT_CAP),
    total_capped: total > COUNT_CAP,
    limit: q.limit,
    offset: q.offset,
    live: false,
    capped: false,
    active_at: snapshot.at?.toISOString() ?? null,
  };
}

/** One row of the index, or null. */
export async function getIndexedJob(db: Db, jid: string, masterId = 'default'): Promise<JobRow | null> {
  const rows = await db
    .select()
    .from(jobsIndex)
    .where(and(eq(jobsIndex.masterId, masterId), eq(jobsIndex.jid, jid)))
    .limit(1);
  return rows[0] ?? null;
}
