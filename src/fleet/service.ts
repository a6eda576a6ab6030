/**
 * @module
 * Reading fleet health. The fleet is the accepted minions of the minions snapshot (a minion with
 * no stored run is unknown); before the first snapshot it is the minions with a stored run.
 * Stale is decided at reading time from the run's start and the stale period.
 */
import { and, arrayContains, asc, count, eq, gte, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/types.ts';
import { minionSnapshots } from '../minions/model.ts';
import { readSettingsRow } from '../settings/service.ts';
import { fleetDaily, fleetHealth, type HealthStatus } from './model.ts';
import type { FleetHealth, FleetQuery, HealthCounts, MinionHealth, TrendDay } from './schemas.ts';

const h = fleetHealth;

/** Both drivers' `execute` results: postgres.js gives an array, PGlite `{rows}`. */
function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : ((result as { rows?: unknown[] }).rows ?? [])) as T[];
}
const s = minionSnapshots;

/** The stale period, `fleet_stale_after_days` in the settings (default 2 days). */
export async function staleAfterMs(db: Db): Promise<number> {
  const row = await readSettingsRow(db);
  return row.fleetStaleAfterDays * 86_400_000;
}

/** Days the trend covers. */
export const TREND_DAYS = 30;

async function hasSnapshot(db: Db, masterId: string): Promise<boolean> {
  const [r] = await db.select({ id: s.id }).from(s).where(and(eq(s.masterId, masterId), eq(s.keyStatus, 'accepted'))).limit(1);
  return r !== undefined;
}

function statusOf(cutoff: Date): SQL<HealthStatus> {
  return sql<HealthStatus>`case when ${h.minionId} is null then 'unknown' when ${h.runAt} < ${cutoff.toISOString()} then 'stale' else ${h.outcome} end`;
}

/** The fleet's rows (minion id, health columns, status) as a query the callers filter. */
function fleetRows(db: Db, masterId: string, snapshot: boolean, cutoff: Date, filters: (status: SQL) => SQL[]) {
  const status = statusOf(cutoff);
  const cols = {
    minionId: snapshot ? s.id : h.minionId, status, jid: h.jid, function: h.function, runAt: h.runAt, total: h.total, passed: h.passed,
    changed: h.changed, failed: h.failed, failingStates: h.failingStates, errors: h.errors,
  };
  if (snapshot) {
    return db.select(cols).from(s)
      .leftJoin(h, and(eq(h.masterId, s.masterId), eq(h.minionId, s.id)))
      .where(and(eq(s.masterId, masterId), eq(s.keyStatus, 'accepted'), ...filters(status)));
  }
  return db.select(cols).from(h).where(and(eq(h.masterId, masterId), ...filters(status)));
}

/** Counts by status now. */
export async function fleetCounts(db: Db, masterId: string, now: Date, staleAfterMs: number): Promise<HealthCounts> {
  const cutoff = new Date(now.getTime() - staleAfterMs);
  const snapshot = await hasSnapshot(db, masterId);
  const status = statusOf(cutoff);
  const rows = snapshot
    ? await db.select({ status, n: count() }).from(s).leftJoin(h, and(eq(h.masterId, s.masterId), eq(h.minionId, s.id)))
      .where(and(eq(s.masterId, masterId), eq(s.keyStatus, 'accepted'))).groupBy(sql`1`)
    : await db.select({ status, n: count() }).from(h).where(eq(h.masterId, masterId)).groupBy(sql`1`);
  const c: HealthCounts = { healthy: 0, changed: 0, unhealthy: 0, blocked: 0, stale: 0, unknown: 0, total: 0 };
  for (const r of rows) {
    c[r.status] += Number(r.n);
    c.total += Number(r.n);
  }
  return c;
}

function toMinionHealth(r: {
  minionId: string | null; status: HealthStatus; jid: string | null; function: string | null; runAt: Date | null; total: number | null;
  passed: number | null; changed: number | null; failed: number | null; failingStates: string[] | null; errors: string[] | null;
}): MinionHealth {
  return {
    minion_id: r.minionId ?? '', status: r.status, jid: r.jid, function: r.function, run_at: r.runAt ? new Date(r.runAt).toISOString() : null,
    total: r.total ?? 0, passed: r.passed ?? 0, changed: r.changed ?? 0, failed: r.failed ?? 0,
    failing_states: r.failingStates ?? [], errors: r.errors ?? [],
  };
}

/** The state ids failing on the most minions (unhealthy and not stale). */
async function topFailing(db: Db, masterId: string, snapshot: boolean, cutoff: Date, limit = 10): Promise<{ state_id: string; minions: number }[]> {
  const member = snapshot
    ? sql`and exists (select 1 from ${s} where ${s.masterId} = ${masterId} and ${s.keyStatus} = 'accepted' and ${s.id} = ${h.minionId})`
    : sql``;
  const result = await db.execute(sql`select f.state_id, count(*)::int as minions
    from ${h}, unnest(${h.failingStates}) as f(state_id)
    where ${h.masterId} = ${masterId} and ${h.outcome} = 'unhealthy' and ${h.runAt} >= ${cutoff.toISOString()} ${member}
    group by f.state_id order by minions desc, f.state_id limit ${limit}`);
  return rowsOf<{ state_id: string; minions: number }>(result).map((r) => ({ state_id: r.state_id, minions: Number(r.minions) }));
}

/** The stored daily counts of the last TREND_DAYS days, oldest first. */
export async function fleetTrend(db: Db, masterId: string, now: Date): Promise<TrendDay[]> {
  const from = new Date(now.getTime() - (TREND_DAYS - 1) * 86_400_000).toISOString().slice(0, 10);
  const rows = await db.select().from(fleetDaily)
    .where(and(eq(fleetDaily.masterId, masterId), gte(fleetDaily.day, from))).orderBy(asc(fleetDaily.day));
  return rows.map((r) => ({ day: r.day, healthy: r.healthy, changed: r.changed, unhealthy: r.unhealthy, blocked: r.blocked, stale: r.stale, unknown: r.unknown }));
}

/** Everything `GET /api/fleet/health` answers. */
export async function fleetHealthReport(db: Db, masterId: string, q: FleetQuery, now: Date, staleAfterMs: number): Promise<FleetHealth> {
  const cutoff = new Date(now.getTime() - staleAfterMs);
  const snapshot = await hasSnapshot(db, masterId);
  const idCol = snapshot ? s.id : h.minionId;
  const filters = (status: SQL): SQL[] => {
    const f: SQL[] = [];
    if (q.status) f.push(sql`${status} = ${q.status}`);
    if (q.q) f.push(sql`${idCol} ilike ${`%${q.q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`}`);
    if (q.state) f.push(arrayContains(h.failingStates, [q.state]));
    return f;
  };
  const [rows, totalRows, counts, top, trend] = await Promise.all([
    fleetRows(db, masterId, snapshot, cutoff, filters).orderBy(asc(idCol)).limit(q.limit).offset(q.offset),
    db.select({ n: count() }).from(fleetRows(db, masterId, snapshot, cutoff, filters).as('fleet_rows')),
    fleetCounts(db, masterId, now, staleAfterMs),
    topFailing(db, masterId, snapshot, cutoff),
    fleetTrend(db, masterId, now),
  ]);
  return {
    counts, data: rows.map(toMinionHealth), total: Number(totalRows[0]?.n ?? 0), limit: q.limit, offset: q.offset,
    top_failing: top, trend, stale_after_days: staleAfterMs / 86_400_000,
  };
}
