/**
 * @module
 * One fleet tick: find the state runs (state.apply, state.highstate, state.sls; test runs
 * skipped) in the jobs index that were not read yet, look each one up with the runner
 * `jobs.lookup_jid`, keep every minion's latest run in `fleet_health`, then store today's counts
 * in `fleet_daily` (the trend). A job is read again on later ticks until the jobs poller saw it
 * finish (its summary is set) or it is an hour old, so slow minions' returns are not lost.
 */
import { and, desc, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import type { Db } from '../db/types.ts';
import type { Logger } from '../log.ts';
import { jobsIndex } from '../jobs/model.ts';
import { minionSnapshots } from '../minions/model.ts';
import { minionReturns } from '../jobs/state-results.ts';
import { fleetDaily, fleetHealth, fleetStateJobs, type NewFleetHealthRow } from './model.ts';
import { healthOfReturn, isTestRun } from './health.ts';
import { fleetCounts, staleAfterMs } from './service.ts';

/** The functions whose latest run is a minion's health. */
export const HEALTH_FUNCTIONS = ['state.apply', 'state.highstate', 'state.sls'];

export interface FleetSalt {
  lookupJid(jid: string): Promise<Record<string, unknown>>;
}

export interface FleetIngestDeps {
  db: Db;
  salt: FleetSalt;
  masterId: string;
  now: () => Date;
  signal?: AbortSignal;
  logger?: Logger;
  /** Jobs looked up per tick (default 100), newest first. */
  lookupLimit?: number;
  /** How far back runs are read (default 30 days). */
  windowMs?: number;
  /** Default: the settings' stale period (see `staleAfterMs`). */
  staleAfterMs?: number;
}

export interface FleetIngestReport {
  lookedUp: number;
  skippedTestRuns: number;
  minionsUpdated: number;
  day: string;
}

/** Finished an hour ago at the latest: no more returns will come. */
const SETTLED_MS = 3_600_000;

/** Runs one tick. */
export async function ingestFleet(d: FleetIngestDeps): Promise<FleetIngestReport> {
  const { db, masterId } = d;
  const now = d.now();
  const j = jobsIndex;
  const f = fleetStateJobs;
  const candidates = await db
    .select({ jid: j.jid, function: j.function, arguments: j.arguments, startTime: j.startTime, summaryAt: j.summaryAt })
    .from(j)
    .leftJoin(f, and(eq(f.masterId, j.masterId), eq(f.jid, j.jid)))
    .where(and(
      eq(j.masterId, masterId),
      inArray(j.function, HEALTH_FUNCTIONS),
      gte(j.startTime, new Date(now.getTime() - (d.windowMs ?? 30 * 86_400_000))),
      sql`coalesce(${f.complete}, false) = false`,
    ))
    .orderBy(desc(j.startTime))
    .limit(d.lookupLimit ?? 100);

  const report: FleetIngestReport = { lookedUp: 0, skippedTestRuns: 0, minionsUpdated: 0, day: now.toISOString().slice(0, 10) };
  for (const job of candidates) {
    if (d.signal?.aborted) return report;
    const startTime = new Date(job.startTime);
    if (isTestRun(job.arguments)) {
      report.skippedTestRuns++;
      await markJob(db, masterId, job.jid, startTime, 0, true, now);
      continue;
    }
    const ret = await d.salt.lookupJid(job.jid);
    report.lookedUp++;
    if (d.signal?.aborted) return report;
    const returns = minionReturns(ret);
    const rows: NewFleetHealthRow[] = [];
    for (const [minionId, value] of Object.entries(returns)) {
      const h = healthOfReturn(value);
      if (h) rows.push({ masterId, minionId, jid: job.jid, function: job.function, runAt: startTime, ...h, updatedAt: now });
    }
    report.minionsUpdated += await upsertHealth(db, rows);
    const complete = job.summaryAt !== null || now.getTime() - startTime.getTime() > SETTLED_MS;
    await markJob(db, masterId, job.jid, startTime, Object.keys(returns).length, complete, now);
  }
  if (d.signal?.aborted) return report;
  await prune(db, masterId, new Date(now.getTime() - (d.windowMs ?? 30 * 86_400_000)));
  await storeDay(db, masterId, now, d.staleAfterMs ?? (await staleAfterMs(db)));
  d.logger?.info('fleet tick', { ...report });
  return report;
}

/**
 * Forgets what no longer matters: the read marks of jobs older than the window, and the health of
 * minions whose keys left the fleet (only when there is a minions snapshot to say so).
 */
async function prune(db: Db, masterId: string, before: Date): Promise<void> {
  const f = fleetStateJobs;
  await db.delete(f).where(and(eq(f.masterId, masterId), lt(f.startTime, before)));
  const s = minionSnapshots;
  const [any] = await db.select({ id: s.id }).from(s).where(eq(s.masterId, masterId)).limit(1);
  if (!any) return;
  const h = fleetHealth;
  await db.delete(h).where(and(
    eq(h.masterId, masterId),
    sql`not exists (select 1 from ${s} where ${s.masterId} = ${masterId} and ${s.keyStatus} = 'accepted' and ${s.id} = ${h.minionId})`,
  ));
}

/** Keeps the newer run: an older job read late never replaces a newer one. */
async function upsertHealth(db: Db, rows: NewFleetHealthRow[]): Promise<number> {
  const h = fleetHealth;
  let n = 0;
  for (let i = 0; i < rows.length; i += 1000) {
    const written = await db
      .insert(h)
      .values(rows.slice(i, i + 1000))
      .onConflictDoUpdate({
        target: [h.masterId, h.minionId],
        set: {
          jid: sql`excluded.jid`, function: sql`excluded.function`, runAt: sql`excluded.run_at`, outcome: sql`excluded.outcome`,
          total: sql`excluded.total`, passed: sql`excluded.passed`, changed: sql`excluded.changed`, failed: sql`excluded.failed`,
          failingStates: sql`excluded.failing_states`, errors: sql`excluded.errors`, updatedAt: sql`excluded.updated_at`,
        },
        setWhere: sql`${h.runAt} <= excluded.run_at`,
      })
      .returning({ id: h.minionId });
    n += written.length;
  }
  return n;
}

async function markJob(db: Db, masterId: string, jid: string, startTime: Date, returned: number, complete: boolean, now: Date): Promise<void> {
  const f = fleetStateJobs;
  await db
    .insert(f)
    .values({ masterId, jid, startTime, returned, complete, lookedUpAt: now })
    .onConflictDoUpdate({ target: [f.masterId, f.jid], set: { returned, complete, lookedUpAt: now } });
}

/** Today's counts (UTC day), rewritten by every tick of the day: the last one stands. */
async function storeDay(db: Db, masterId: string, now: Date, staleAfterMs: number): Promise<void> {
  const c = await fleetCounts(db, masterId, now, staleAfterMs);
  const day = now.toISOString().slice(0, 10);
  const values = { healthy: c.healthy, changed: c.changed, unhealthy: c.unhealthy, blocked: c.blocked, stale: c.stale, unknown: c.unknown, updatedAt: now };
  await db
    .insert(fleetDaily)
    .values({ masterId, day, ...values })
    .onConflictDoUpdate({ target: [fleetDaily.masterId, fleetDaily.day], set: values });
}
