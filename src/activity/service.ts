/**
 * @module
 * The activity store: batched inserts (ids come back in order), the filtered history, the catch-up
 * read for a reconnecting browser, the latest event (for the backfill) and retention.
 */
import { and, asc, desc, eq, gt, gte, inArray, like, lt, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/types.ts';
import { activityEvents, type ActivityEventRow } from './model.ts';
import type { ActivityCategory, NormalizedEvent } from './normalize.ts';
import type { ActivityEvent, ActivityPage, ActivityQuery } from './schemas.ts';

/** Rows per INSERT statement (one JSON parameter each). */
const INSERT_CHUNK = 2000;

/** Both drivers' `execute` results: postgres.js gives an array, PGlite `{rows}`. */
function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : ((result as { rows?: unknown[] }).rows ?? [])) as T[];
}

/** The public shape of a row. */
export function toActivityEvent(r: ActivityEventRow): ActivityEvent {
  return {
    id: r.id,
    master_id: r.masterId,
    at: r.at.toISOString(),
    category: r.category as ActivityCategory,
    kind: r.kind as ActivityEvent['kind'],
    tag: r.tag,
    jid: r.jid,
    minion: r.minion,
    fun: r.fun,
    outcome: r.outcome as ActivityEvent['outcome'],
    summary: r.summary,
    data: (r.data ?? {}) as Record<string, unknown>,
    backfilled: r.backfilled,
  };
}

/**
 * Persists kept events; returns them with their ids, in order. The batch travels as one JSON
 * parameter expanded by `jsonb_array_elements`/`jsonb_to_record` — drizzle's builder spends ~0.2 ms per row on a
 * multi-row VALUES, which would cap ingestion near 4,000 events/s. Rows are inserted in input
 * order (ORDER BY ordinality), so the ascending ids returned map back to the input positions.
 */
export async function insertActivityEvents(db: Db, masterId: string, events: readonly NormalizedEvent[]): Promise<ActivityEvent[]> {
  const out: ActivityEvent[] = [];
  for (let i = 0; i < events.length; i += INSERT_CHUNK) {
    const chunk = events.slice(i, i + INSERT_CHUNK);
    const json = JSON.stringify(chunk.map((e) => ({
      at: e.at.toISOString(), category: e.category, kind: e.kind, tag: e.tag, jid: e.jid, minion: e.minion,
      fun: e.fun, outcome: e.outcome, summary: e.summary, data: e.data, backfilled: e.backfilled,
    })));
    const t = activityEvents;
    const result = await db.execute(sql`
      insert into ${t} (master_id, at, category, kind, tag, jid, minion, fun, outcome, summary, data, backfilled)
      select ${masterId}, x.at, x.category, x.kind, x.tag, x.jid, x.minion, x.fun, x.outcome, x.summary, coalesce(x.data, '{}'::jsonb), x.backfilled
      from jsonb_array_elements(${json}::jsonb) with ordinality as a(e, n),
        jsonb_to_record(a.e) as x(at timestamptz, category text, kind text, tag text, jid text,
          minion text, fun text, outcome text, summary text, data jsonb, backfilled boolean)
      order by a.n
      returning id`);
    const ids = rowsOf<{ id: number | string }>(result).map((r) => Number(r.id)).sort((a, b) => a - b);
    if (ids.length !== chunk.length) throw new Error(`activity insert returned ${ids.length} ids for ${chunk.length} rows`);
    chunk.forEach((e, k) => out.push({
      id: ids[k]!, master_id: masterId, at: e.at.toISOString(), category: e.category, kind: e.kind, tag: e.tag, jid: e.jid,
      minion: e.minion, fun: e.fun, outcome: e.outcome, summary: e.summary, data: e.data, backfilled: e.backfilled,
    }));
  }
  return out;
}

/** The history, newest first, keyset-paged by id (the log grows without bound; OFFSET would not). */
export async function listActivity(
  db: Db,
  masterId: string,
  allowed: readonly ActivityCategory[],
  q: ActivityQuery,
): Promise<ActivityPage> {
  const requested = q.category ? (q.category.split(',') as ActivityCategory[]) : [...allowed];
  const categories = requested.filter((c) => allowed.includes(c));
  if (categories.length === 0) return { data: [], count: 0, next_before: null };
  const where: SQL[] = [eq(activityEvents.masterId, masterId), inArray(activityEvents.category, categories)];
  if (q.kind) where.push(eq(activityEvents.kind, q.kind));
  if (q.tag) where.push(like(activityEvents.tag, `${escapeLike(q.tag)}%`));
  if (q.minion) where.push(eq(activityEvents.minion, q.minion));
  if (q.jid) where.push(eq(activityEvents.jid, q.jid));
  if (q.since) where.push(gte(activityEvents.at, new Date(q.since)));
  if (q.until) where.push(lt(activityEvents.at, new Date(q.until)));
  if (q.before) where.push(lt(activityEvents.id, q.before));
  const rows = await db
    .select()
    .from(activityEvents)
    .where(and(...where))
    .orderBy(desc(activityEvents.id))
    .limit(q.limit + 1);
  const more = rows.length > q.limit;
  const data = rows.slice(0, q.limit).map(toActivityEvent);
  return { data, count: data.length, next_before: more ? data[data.length - 1]!.id : null };
}

/** What a reconnecting browser missed: events after `afterId`, oldest first, at most `limit`. */
export async function activitySince(
  db: Db,
  masterId: string,
  afterId: number,
  categories: readonly ActivityCategory[],
  limit: number,
): Promise<ActivityEvent[]> {
  if (categories.length === 0) return [];
  const rows = await db
    .select()
    .from(activityEvents)
    .where(and(eq(activityEvents.masterId, masterId), gt(activityEvents.id, afterId), inArray(activityEvents.category, [...categories])))
    .orderBy(asc(activityEvents.id))
    .limit(limit);
  return rows.map(toActivityEvent);
}

/** The newest events (oldest first), to fill the hub's ring at start. */
export async function latestActivity(db: Db, masterId: string, limit: number): Promise<ActivityEvent[]> {
  const rows = await db
    .select()
    .from(activityEvents)
    .where(eq(activityEvents.masterId, masterId))
    .orderBy(desc(activityEvents.id))
    .limit(limit);
  return rows.reverse().map(toActivityEvent);
}

/** When the newest stored event happened (Salt time), or null for an empty log. */
export async function lastActivityAt(db: Db, masterId: string): Promise<Date | null> {
  const [row] = await db
    .select({ at: sql<Date | string | null>`max(${activityEvents.at})` })
    .from(activityEvents)
    .where(eq(activityEvents.masterId, masterId));
  return row?.at ? new Date(row.at) : null;
}

/** The jids among `jids` that already have a job.new event. */
export async function knownJobs(db: Db, masterId: string, jids: readonly string[]): Promise<Set<string>> {
  if (jids.length === 0) return new Set();
  const rows = await db
    .select({ jid: activityEvents.jid })
    .from(activityEvents)
    .where(and(eq(activityEvents.masterId, masterId), eq(activityEvents.kind, 'job.new'), inArray(activityEvents.jid, [...jids])));
  return new Set(rows.map((r) => r.jid!));
}

/** Deletes events older than `retentionDays` before `now`, in bounded batches; returns how many. */
export async function pruneActivity(db: Db, masterId: string, retentionDays: number, now: Date, batch = 5000): Promise<number> {
  if (retentionDays <= 0) return 0;
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);
  let total = 0;
  for (;;) {
    // Small transactions: a first prune of a large log must not hold one huge delete.
    const doomed = db
      .select({ id: activityEvents.id })
      .from(activityEvents)
      .where(and(eq(activityEvents.masterId, masterId), lt(activityEvents.at, cutoff)))
      .limit(batch);
    const rows = await db.delete(activityEvents).where(inArray(activityEvents.id, doomed)).returning({ id: activityEvents.id });
    total += rows.length;
    if (rows.length < batch) return total;
  }
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

/** Fills a fresh hub's ring from the database, so the first browsers after a restart get a replay. */
export async function primeHub(hub: { ringSize: number; publish(e: readonly ActivityEvent[]): void }, db: Db, masterId: string): Promise<void> {
  hub.publish(await latestActivity(db, masterId, hub.ringSize));
}
