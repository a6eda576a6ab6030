/**
 * @module
 * Reading the inventory: the package rows (name prefix search, source, minion, paging, CSV), one
 * package's versions with their minion counts, the version-comparison search, and the OS and
 * salt-version breakdown from the minions snapshot.
 *
 * The version search cannot be done by SQL text order (`1.10` < `1.9` as text). It reads the
 * package's distinct (source, version) pairs with their minion counts from `inventory_versions`
 * — a few dozen rows even on a big fleet — compares those in JS with dpkg's or rpm's ordering,
 * then reads the page of rows whose version matched through the name index.
 */
import { and, asc, count, eq, inArray, max, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/types.ts';
import { minionSnapshots } from '../minions/model.ts';
import { inventoryMinions, inventoryPackages, inventoryVersions, type PackageSource } from './model.ts';
import type {
  InventoryBreakdown, InventoryPackage, InventoryPackagePage, InventoryQuery, InventoryStatus, PackageVersion, PackageVersions,
  VersionSearchBody, VersionSearchResult,
} from './schemas.ts';
import { compareVersions, satisfies, type VersionScheme } from './version.ts';

/** Counting stops here: an exact count over millions of rows costs more than it tells. */
export const TOTAL_CAP = 10_000;
/** Most rows a CSV export holds. */
export const EXPORT_CAP = 100_000;

const p = inventoryPackages;

/** The ordering a source's versions follow; `other` uses rpm's generic segment comparison. */
export function schemeOf(source: PackageSource): VersionScheme {
  return source === 'deb' ? 'deb' : 'rpm';
}

/** `%`, `_` and `\` are LIKE syntax; `*` is the user's wildcard. */
function namePattern(q: string): string {
  const escaped = q.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`).replace(/\*/g, '%');
  return escaped.endsWith('%') ? escaped : `${escaped}%`;
}

/** Exact name: the index narrows on lower(name), the heap check keeps the case. */
function nameIs(name: string): SQL {
  return and(sql`lower(${p.name}) = ${name.toLowerCase()}`, eq(p.name, name))!;
}

function whereOf(masterId: string, q: Pick<InventoryQuery, 'q' | 'source' | 'minion'>): SQL {
  const where: SQL[] = [eq(p.masterId, masterId)];
  if (q.q) where.push(sql`lower(${p.name}) like ${namePattern(q.q)}`);
  if (q.source) where.push(eq(p.source, q.source));
  if (q.minion) where.push(eq(p.minionId, q.minion));
  return and(...where)!;
}

const ROW = { minion_id: p.minionId, name: p.name, version: p.version, source: p.source };
const ORDER = [asc(sql`lower(${p.name})`), asc(p.version), asc(p.minionId)];

/** How many minions have a package set and when one last changed. */
export async function inventoryStatus(db: Db, masterId: string): Promise<InventoryStatus> {
  const [r] = await db
    .select({ n: count(), at: max(inventoryMinions.updatedAt) })
    .from(inventoryMinions)
    .where(eq(inventoryMinions.masterId, masterId));
  return { minions: Number(r?.n ?? 0), updated_at: r?.at ? new Date(r.at).toISOString() : null };
}

/** One page of package rows. */
export async function listPackages(db: Db, masterId: string, q: InventoryQuery): Promise<InventoryPackagePage> {
  const where = whereOf(masterId, q);
  const capped = db.select({ one: sql`1` }).from(p).where(where).limit(TOTAL_CAP + 1).as('capped');
  const [rows, [c], inventory] = await Promise.all([
    db.select(ROW).from(p).where(where).orderBy(...ORDER).limit(q.limit).offset(q.offset),
    db.select({ n: count() }).from(capped),
    inventoryStatus(db, masterId),
  ]);
  const n = Number(c?.n ?? 0);
  return { data: rows, total: Math.min(n, TOTAL_CAP), total_capped: n > TOTAL_CAP, limit: q.limit, offset: q.offset, inventory };
}

/** Every matching row (up to EXPORT_CAP) for the CSV download. */
export function exportPackages(db: Db, masterId: string, q: InventoryQuery): Promise<InventoryPackage[]> {
  return db.select(ROW).from(p).where(whereOf(masterId, q)).orderBy(...ORDER).limit(EXPORT_CAP);
}

/** Newest first, in each source's ordering (sources apart, deb before rpm before other). */
function newestFirst(a: PackageVersion, b: PackageVersion): number {
  if (a.source !== b.source) return a.source < b.source ? -1 : 1;
  return compareVersions(schemeOf(a.source), b.version, a.version);
}

async function distinctVersions(db: Db, masterId: string, name: string): Promise<PackageVersion[]> {
  const v = inventoryVersions;
  const rows = await db
    .select({ version: v.version, source: v.source, minions: v.minions })
    .from(v)
    .where(and(eq(v.masterId, masterId), eq(v.name, name)));
  return rows.sort(newestFirst);
}

/** A package's installed versions with their minion counts. */
export async function packageVersions(db: Db, masterId: string, name: string): Promise<PackageVersions> {
  const [versions, [m]] = await Promise.all([
    distinctVersions(db, masterId, name),
    db.select({ n: sql<number>`count(distinct ${p.minionId})` }).from(p).where(and(eq(p.masterId, masterId), nameIs(name))),
  ]);
  return { name, minions: Number(m?.n ?? 0), versions };
}

/** The minions whose installed version of `name` satisfies `operator version`. */
export async function searchByVersion(db: Db, masterId: string, s: VersionSearchBody): Promise<VersionSearchResult> {
  const versions = await distinctVersions(db, masterId, s.name);
  const matched = versions.filter((v) => satisfies(schemeOf(v.source), v.version, s.operator, s.version));
  const total = matched.reduce((n, v) => n + v.minions, 0);
  let data: InventoryPackage[] = [];
  if (matched.length > 0 && s.offset < total) {
    const bySource = new Map<PackageSource, string[]>();
    for (const v of matched) bySource.set(v.source, [...(bySource.get(v.source) ?? []), v.version]);
    const versionMatch = or(...[...bySource].map(([source, list]) => and(eq(p.source, source), inArray(p.version, list))));
    data = await db
      .select(ROW)
      .from(p)
      .where(and(eq(p.masterId, masterId), nameIs(s.name), versionMatch))
      .orderBy(asc(p.minionId), asc(p.version))
      .limit(s.limit)
      .offset(s.offset);
  }
  return { name: s.name, operator: s.operator, version: s.version, data, total, limit: s.limit, offset: s.offset, matched_versions: matched };
}

/** Accepted minions by OS and by salt version (from the minions snapshot's grains columns). */
export async function inventoryBreakdown(db: Db, masterId: string): Promise<InventoryBreakdown> {
  const t = minionSnapshots;
  const where = and(eq(t.masterId, masterId), eq(t.keyStatus, 'accepted'));
  const [os, salt] = await Promise.all([
    db.select({ os: t.os, osrelease: t.osrelease, minions: count() }).from(t).where(where).groupBy(t.os, t.osrelease),
    db.select({ saltversion: t.saltversion, minions: count() }).from(t).where(where).groupBy(t.saltversion),
  ]);
  const byCount = <T extends { minions: number }>(rows: T[]) => rows.map((r) => ({ ...r, minions: Number(r.minions) })).sort((a, b) => b.minions - a.minions);
  const total = os.reduce((n, r) => n + Number(r.minions), 0);
  return { os: byCount(os), saltversion: byCount(salt), total };
}

const CSV_COLUMNS = ['minion_id', 'name', 'version', 'source'] as const;

/** One CSV field: quoted when needed, and a leading = + - @ defused so spreadsheets do not run it. */
function csvField(v: string): string {
  const s = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Package rows as CSV (RFC 4180, CRLF, a header row). */
export function packagesCsv(rows: InventoryPackage[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of rows) lines.push(CSV_COLUMNS.map((c) => csvField(r[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
