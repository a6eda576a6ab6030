/**
 * @module
 * Reading the minion snapshot: the filtered, sorted, paginated list (every common filter is an
 * indexed column; free text is a LIKE over the precomputed `search_text`), one minion with its
 * grains and recent jobs, the snapshot's age per part, the filter menus and the exports.
 */
import { and, arrayContains, asc, count, desc, eq, like, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/types.ts';
import { recentJobsForMinion } from '../jobs/service.ts';
import { INGEST_PARTS, minionIngestParts, minionSnapshots, type MinionSnapshotRow } from './model.ts';
import type { Minion, MinionDetail, MinionFacets, MinionPage, MinionQuery, SnapshotStatus } from './schemas.ts';

/** Older than this, the list warns that the snapshot is stale. */
export const SNAPSHOT_STALE_MS = 10 * 60 * 1000;

/** Most rows an export returns. */
export const EXPORT_CAP = 100_000;

const t = minionSnapshots;

/** `%`, `_` and `\` are LIKE syntax; a search for them means the characters themselves. */
function likePattern(q: string): string {
  return `%${q.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

function whereOf(masterId: string, q: MinionQuery): SQL | undefined {
  const where: SQL[] = [eq(t.masterId, masterId)];
  if (q.key_status) where.push(eq(t.keyStatus, q.key_status));
  if (q.present !== undefined) where.push(eq(t.present, q.present));
  if (q.os) where.push(eq(t.os, q.os));
  if (q.saltversion) where.push(eq(t.saltversion, q.saltversion));
  if (q.role) where.push(arrayContains(t.roles, [q.role]));
  if (q.q?.trim()) where.push(like(t.searchText, likePattern(q.q.trim())));
  return and(...where);
}

function orderOf(sort: MinionQuery['sort']): SQL[] {
  const descending = sort.startsWith('-');
  const key = descending ? sort.slice(1) : sort;
  const col = { id: t.id, os: t.os, saltversion: t.saltversion, key_status: t.keyStatus, ip: t.ip, last_seen: t.lastSeen }[key]!;
  const dir = descending ? desc : asc;
  return key === 'id' ? [dir(t.id)] : [dir(col), asc(t.id)];
}

/** The columns of a list row: never the grains or the search text. */
const LIST_COLUMNS = {
  id: t.id, keyStatus: t.keyStatus, present: t.present, ip: t.ip, os: t.os, osrelease: t.osrelease, kernel: t.kernel,
  saltversion: t.saltversion, roles: t.roles, firstSeen: t.firstSeen, lastSeen: t.lastSeen, updatedAt: t.updatedAt,
};
type ListRow = Pick<MinionSnapshotRow, keyof typeof LIST_COLUMNS>;

/** The public shape of a row. A connected minion was last seen at the last presence poll. */
export function toMinion(r: ListRow, presenceAt: string | null): Minion {
  return {
    id: r.id,
    key_status: r.keyStatus,
    present: r.present,
    ip: r.ip,
    os: r.os,
    osrelease: r.osrelease,
    kernel: r.kernel,
    saltversion: r.saltversion,
    roles: r.roles,
    first_seen: r.firstSeen.toISOString(),
    last_seen: r.present && presenceAt ? presenceAt : (r.lastSeen?.toISOString() ?? null),
    updated_at: r.updatedAt.toISOString(),
  };
}

/** When each part of the snapshot last succeeded and failed, and whether the whole is stale. */
export async function snapshotStatus(db: Db, masterId: string, now: Date): Promise<SnapshotStatus> {
  const rows = await db.select().from(minionIngestParts).where(eq(minionIngestParts.masterId, masterId));
  const byPart = new Map(rows.map((r) => [r.part, r]));
  const parts = INGEST_PARTS.map((part) => {
    const r = byPart.get(part);
    return {
      part,
      last_success_at: r?.lastSuccessAt?.toISOString() ?? null,
      last_error_at: r?.lastErrorAt?.toISOString() ?? null,
      last_error: r?.lastError ?? null,
    };
  });
  const successes = parts.map((p) => p.last_success_at);
  const oldest = successes.includes(null) ? null : successes.reduce((a, b) => (a! < b! ? a : b));
  return { updated_at: oldest, stale: oldest === null || now.getTime() - Date.parse(oldest) > SNAPSHOT_STALE_MS, parts };
}

function presenceAt(s: SnapshotStatus): string | null {
  return s.parts.find((p) => p.part === 'presence')?.last_success_at ?? null;
}

/** One page of the filtered list, with its total and the snapshot's age. */
export async function listMinions(db: Db, masterId: string, q: MinionQuery, now: Date): Promise<MinionPage> {
  const where = whereOf(masterId, q);
  const snapshotP = snapshotStatus(db, masterId, now);
  let rows: ListRow[];
  let total: number;
  if (q.q?.trim()) {
    // Free text scans every row's search text (CPU-bound LIKE): count in the same scan with a
    // window function instead of scanning twice. Past the last page there is no row to carry the
    // count, so only then it is counted apart.
    const found = await db.select({ ...LIST_COLUMNS, total: sql<number>`count(*) over ()` }).from(t).where(where)
      .orderBy(...orderOf(q.sort)).limit(q.limit).offset(q.offset);
    rows = found;
    total = found.length ? Number(found[0]!.total) : q.offset > 0 ? await countOf(db, where) : 0;
  } else {
    [rows, total] = await Promise.all([
      db.select(LIST_COLUMNS).from(t).where(where).orderBy(...orderOf(q.sort)).limit(q.limit).offset(q.offset),
      countOf(db, where),
    ]);
  }
  const snapshot = await snapshotP;
  const at = presenceAt(snapshot);
  return { data: rows.map((r) => toMinion(r, at)), total, limit: q.limit, offset: q.offset, snapshot };
}

async function countOf(db: Db, where: SQL | undefined): Promise<number> {
  const [r] = await db.select({ n: count() }).from(t).where(where);
  return Number(r?.n ?? 0);
}

/** Every minion matching the filters (up to EXPORT_CAP), for the CSV and JSON downloads. */
export async function exportMinions(db: Db, masterId: string, q: MinionQuery, now: Date): Promise<Minion[]> {
  const [rows, snapshot] = await Promise.all([
    db.select(LIST_COLUMNS).from(t).where(whereOf(masterId, q)).orderBy(...orderOf(q.sort)).limit(EXPORT_CAP),
    snapshotStatus(db, masterId, now),
  ]);
  const at = presenceAt(snapshot);
  return rows.map((r) => toMinion(r, at));
}

/** One minion with all its grains and the jobs that targeted it, or null. */
export async function getMinion(db: Db, masterId: string, id: string, now: Date): Promise<MinionDetail | null> {
  const [row] = await db.select().from(t).where(and(eq(t.masterId, masterId), eq(t.id, id)));
  if (!row) return null;
  const [snapshot, jobs] = await Promise.all([snapshotStatus(db, masterId, now), recentJobsForMinion(db, id, 20, { masterId })]);
  return { ...toMinion(row, presenceAt(snapshot)), grains: row.grains, recent_jobs: jobs };
}

/** The distinct os, salt versions and roles, for the filter menus. */
export async function minionFacets(db: Db, masterId: string): Promise<MinionFacets> {
  const m = eq(t.masterId, masterId);
  const [os, versions, roles] = await Promise.all([
    db.selectDistinct({ v: t.os }).from(t).where(m).orderBy(t.os),
    db.selectDistinct({ v: t.saltversion }).from(t).where(m).orderBy(t.saltversion),
    db.execute(sql`select distinct unnest(${t.roles}) as v from ${t} where ${t.masterId} = ${masterId} order by 1`),
  ]);
  const roleRows = (Array.isArray(roles) ? roles : (roles as { rows: unknown[] }).rows) as { v: string }[];
  const values = (rows: { v: string | null }[]) => rows.map((r) => r.v).filter((v): v is string => v !== null);
  return { os: values(os), saltversion: values(versions), roles: values(roleRows) };
}

const CSV_COLUMNS = ['id', 'key_status', 'present', 'ip', 'os', 'osrelease', 'kernel', 'saltversion', 'roles', 'first_seen', 'last_seen', 'updated_at'] as const;

/** One CSV field: quoted when needed, and a leading = + - @ defused so spreadsheets do not run it. */
function csvField(v: unknown): string {
  let s = v === null || v === undefined ? '' : Array.isArray(v) ? v.join(';') : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The minions as CSV (RFC 4180, CRLF line ends, a header row). */
export function minionsCsv(minions: Minion[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const m of minions) lines.push(CSV_COLUMNS.map((c) => csvField(m[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
