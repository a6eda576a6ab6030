/**
 * @module
 * Job activity for the charts: counts per hour and per day over the last 7 days by outcome, and
 * the jobs of a chosen window. Outcomes: running (in the active set), failed (a minion failed),
 * succeeded (every returned minion succeeded), unknown (not looked up yet, or a runner job).
 */
import { and, desc, eq, gte, lt, sql } from 'drizzle-orm';
import type { Db } from '../db/types.ts';
import { activeJobs, type ActiveJobs } from './active.ts';
import { jobsIndex } from './model.ts';
import type { JobActivity, JobTimeline } from './schemas.ts';

type Outcome = 'running' | 'succeeded' | 'failed' | 'unknown';
type Bucket = JobActivity['hours'][number];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function outcomeSql(running: ReadonlySet<string>) {
  const jids = [...running];
  const isRunning = jids.length
    ? sql`${jobsIndex.jid} in (${sql.join(jids.map((j) => sql`${j}`), sql`, `)})`
    : sql`false`;
  return sql<Outcome>`case when ${isRunning} then 'running'
    when ${jobsIndex.summaryAt} is null then 'unknown'
    when ${jobsIndex.failed} > 0 then 'failed'
    else 'succeeded' end`;
}

function emptyBucket(start: number): Bucket {
  return { start: new Date(start).toISOString(), running: 0, succeeded: 0, failed: 0, unknown: 0 };
}

/** Hourly and daily counts by outcome over the 7 days before `now` (UTC buckets). */
export async function jobActivity(
  db: Db,
  now: Date,
  o: { masterId?: string; active?: ActiveJobs } = {},
): Promise<JobActivity> {
  const masterId = o.masterId ?? 'default';
  const running = (o.active ?? activeJobs).get(masterId).jids;
  const endHour = Math.floor(now.getTime() / HOUR) * HOUR + HOUR;
  const from = endHour - 7 * DAY;
  const outcome = outcomeSql(running);
  // Epoch arithmetic instead of date_trunc: buckets are UTC whatever the session time zone is.
  const hourExpr = sql<number>`floor(extract(epoch from ${jobsIndex.startTime}) / 3600)::bigint`;
  const rows = await db
    .select({ hour: hourExpr, outcome, n: sql<number>`count(*)::int` })
    .from(jobsIndex)
    .where(and(eq(jobsIndex.masterId, masterId), gte(jobsIndex.startTime, new Date(from)), lt(jobsIndex.startTime, new Date(endHour))))
    // By position: the outcome expression carries the running jids as parameters, and Postgres
    // does not see two parameter lists as the same expression.
    .groupBy(sql`1`, sql`2`);
  const hours = Array.from({ length: 7 * 24 }, (_, i) => emptyBucket(from + i * HOUR));
  const dayFrom = Math.floor(from / DAY) * DAY;
  const days = Array.from({ length: Math.ceil((endHour - dayFrom) / DAY) }, (_, i) => emptyBucket(dayFrom + i * DAY));
  for (const r of rows) {
    const start = Number(r.hour) * HOUR;
    const h = hours[(start - from) / HOUR];
    const d = days[Math.floor((start - dayFrom) / DAY)];
    const k = r.outcome as Outcome;
    if (h) h[k] += Number(r.n);
    if (d) d[k] += Number(r.n);
  }
  return { from: new Date(from).toISOString(), to: new Date(endHour).toISOString(), hours, days };
}

/** The jobs that started in [from, to), oldest first, at most `limit` (the newest). */
export async function jobTimeline(
  db: Db,
  window: { from: Date; to: Date; limit: number },
  o: { masterId?: string; active?: ActiveJobs } = {},
): Promise<JobTimeline> {
  const masterId = o.masterId ?? 'default';
  const running = (o.active ?? activeJobs).get(masterId).jids;
  const rows = await db
    .select({
      jid: jobsIndex.jid,
      function: jobsIndex.function,
      target: jobsIndex.target,
      startTime: jobsIndex.startTime,
      outcome: outcomeSql(running),
    })
    .from(jobsIndex)
    .where(and(eq(jobsIndex.masterId, masterId), gte(jobsIndex.startTime, window.from), lt(jobsIndex.startTime, window.to)))
    .orderBy(desc(jobsIndex.startTime), desc(jobsIndex.jid))
    .limit(window.limit + 1);
  // Past the limit the oldest are dropped: the recent end of a window matters most.
  const truncated = rows.length > window.limit;
  const kept = rows.slice(0, window.limit).reverse();
  return {
    from: window.from.toISOString(),
    to: window.to.toISOString(),
    truncated,
    jobs: kept.map((r) => ({
      jid: r.jid,
      function: r.function,
      target: r.target,
      start_time: r.startTime.toISOString(),
      outcome: r.outcome as Outcome,
    })),
  };
}
