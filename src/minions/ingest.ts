/**
 * @module
 * One minions tick: fetch wheel key.list_all, runner manage.present (with ips) and runner
 * cache.grains in parallel, then reconcile `minion_snapshots` in one transaction: insert new
 * minions, rewrite only rows whose content hash changed, delete the rows whose keys are gone.
 *
 * A part that fails keeps the previous data for that part: without key lists nobody is added or
 * removed; without presence the stored presence stays; without grains the stored grains stay.
 * Each part's outcome is written to `minion_ingest_parts` in the same transaction, so the pages
 * say which part is stale and why. `ingestMinions` reports failures in its result and throws only
 * for database errors; the poller (scheduler.ts) turns failed parts into an error afterwards, so
 * the runtime's poller record and the status banner carry them too.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/types.ts';
import type { SaltApiClient } from '../salt/client.ts';
import { minionIngestParts, minionSnapshots, type IngestPart, type KeyStatus, type NewMinionSnapshotRow } from './model.ts';
import { grainColumns, ipFromGrains, parseGrainsMap, parseKeyLists, searchTextOf } from './parse.ts';
import { grainsHashOf } from './hash.ts';
import { contentHashOf } from './row-hash.ts';

/** The salt-api calls a tick makes (a SaltApiClient, or a fake in tests). */
export type MinionSource = Pick<SaltApiClient, 'wheelCall' | 'runnerCall' | 'listConnectedMinions'>;

export interface IngestDeps {
  db: Db;
  salt: MinionSource;
  masterId: string;
  now: () => Date;
  /** When aborted before the write, the tick writes nothing. */
  signal?: AbortSignal;
}

export interface IngestResult {
  inserted: number;
  updated: number;
  deleted: number;
  unchanged: number;
  /** inserted + updated + deleted: the snapshot rows the tick wrote. */
  rowsWritten: number;
  failed: { part: IngestPart; message: string; error: unknown }[];
  /** Time spent waiting for salt-api, and in total. */
  fetchMs: number;
  totalMs: number;
  aborted: boolean;
}

/** Rows per statement: 1000 rows × 15 columns stays far below Postgres' 65,534 parameters. */
const BATCH = 1000;

interface Fetched {
  keys: Map<string, KeyStatus> | null;
  presence: Record<string, string> | null;
  grains: Map<string, Record<string, unknown>> | null;
  failed: IngestResult['failed'];
}

async function fetchParts(salt: MinionSource): Promise<Fetched> {
  const [keys, presence, grains] = await Promise.allSettled([
    salt.wheelCall('key.list_all').then(parseKeyLists),
    salt.listConnectedMinions(),
    salt.runnerCall('cache.grains', { tgt: '*' }).then(parseGrainsMap),
  ]);
  const failed: IngestResult['failed'] = [];
  const take = <T>(part: IngestPart, r: PromiseSettledResult<T>): T | null => {
    if (r.status === 'fulfilled') return r.value;
    failed.push({ part, message: r.reason instanceof Error ? r.reason.message : String(r.reason), error: r.reason });
    return null;
  };
  return { keys: take('keys', keys), presence: take('presence', presence), grains: take('grains', grains), failed };
}

/** Runs one tick. */
export async function ingestMinions(deps: IngestDeps): Promise<IngestResult> {
  const started = performance.now();
  const fetchStartedAt = deps.now();
  const fetched = await fetchParts(deps.salt);
  const fetchMs = performance.now() - started;
  const result: IngestResult = {
    inserted: 0, updated: 0, deleted: 0, unchanged: 0, rowsWritten: 0, failed: fetched.failed, fetchMs, totalMs: 0, aborted: false,
  };
  if (deps.signal?.aborted) return { ...result, aborted: true, totalMs: performance.now() - started };
  const now = deps.now();
  await deps.db.transaction(async (tx) => {
    await reconcile(tx as unknown as Db, deps.masterId, fetched, now, fetchStartedAt, result);
    await recordParts(tx as unknown as Db, deps.masterId, fetched, now);
  });
  result.rowsWritten = result.inserted + result.updated + result.deleted;
  result.totalMs = performance.now() - started;
  return result;
}

async function reconcile(db: Db, masterId: string, f: Fetched, now: Date, fetchStartedAt: Date, result: IngestResult): Promise<void> {
  const t = minionSnapshots;
  const stored = await db
    .select({ id: t.id, keyStatus: t.keyStatus, present: t.present, ip: t.ip, grainsHash: t.grainsHash, contentHash: t.contentHash, lastSeen: t.lastSeen, updatedAt: t.updatedAt })
    .from(t)
    .where(eq(t.masterId, masterId));
  // A key action (accept, reject, delete) that wrote a row while this tick was fetching is newer
  // than what Salt told the tick: leave those rows to the next tick instead of reverting them.
  const touched = new Set(stored.filter((r) => r.updatedAt > fetchStartedAt).map((r) => r.id));
  const existing = stored.filter((r) => !touched.has(r.id));
  result.unchanged += touched.size;
  const before = new Map(existing.map((r) => [r.id, r]));
  // Without key lists the membership is what is stored: nobody is added or removed.
  const members: Map<string, KeyStatus> = f.keys ?? new Map(existing.map((r) => [r.id, r.keyStatus]));

  // Rows are written in batches as they are built, so a first tick at 50k minions never holds
  // every row (grains and search text included) in memory at once.
  const excluded = (cols: string[]) => Object.fromEntries(cols.map((c) => [c, sql.raw(`excluded.${snake(c)}`)]));
  const status = ['keyStatus', 'present', 'ip', 'contentHash', 'lastSeen', 'updatedAt'];
  const full = [...status, 'os', 'osrelease', 'kernel', 'saltversion', 'roles', 'grains', 'grainsHash', 'searchText'];
  const withGrains: NewMinionSnapshotRow[] = [];
  const withoutGrains: NewMinionSnapshotRow[] = [];
  const flush = async (rows: NewMinionSnapshotRow[], cols: string[]) => {
    if (rows.length === 0) return;
    await db.insert(t).values(rows.splice(0)).onConflictDoUpdate({ target: [t.masterId, t.id], set: excluded(cols) });
  };
  for (const [id, keyStatus] of members) {
    if (touched.has(id)) continue;
    const old = before.get(id);
    const present = keyStatus !== 'accepted' ? false : f.presence ? Object.hasOwn(f.presence, id) : (old?.present ?? false);
    // A minion missing from cache.grains (pending, or not cached yet) keeps its stored grains.
    const grains = f.grains?.get(id);
    f.grains?.delete(id); // each id is seen once; dropping it lets the parsed answer be collected as we go
    const grainsHash = grains ? grainsHashOf(grains) : (old?.grainsHash ?? '');
    const ip = ((f.presence && Object.hasOwn(f.presence, id) ? f.presence[id] : '') || null) ?? (grains ? ipFromGrains(grains) : null) ?? old?.ip ?? null;
    const contentHash = contentHashOf({ keyStatus, present, ip, grainsHash });
    if (old && old.contentHash === contentHash) {
      result.unchanged++;
      continue;
    }
    const lastSeen = present !== (old?.present ?? false) ? now : (old?.lastSeen ?? (present ? now : null));
    const base = { masterId, id, keyStatus, present, ip, contentHash, lastSeen, updatedAt: now, firstSeen: now };
    if (!old || (grains && grainsHash !== old.grainsHash)) {
      const g = grains ?? {};
      withGrains.push({ ...base, ...grainColumns(g), grains: g, grainsHash, searchText: searchTextOf(id, ip, g) });
      if (withGrains.length >= BATCH) await flush(withGrains, full);
    } else {
      withoutGrains.push(base);
      if (withoutGrains.length >= BATCH) await flush(withoutGrains, status);
    }
    if (old) result.updated++;
    else result.inserted++;
  }
  await flush(withGrains, full);
  await flush(withoutGrains, status);

  if (f.keys) {
    const gone = existing.filter((r) => !members.has(r.id)).map((r) => r.id);
    for (let i = 0; i < gone.length; i += BATCH) {
      await db.delete(t).where(and(eq(t.masterId, masterId), inArray(t.id, gone.slice(i, i + BATCH))));
    }
    result.deleted = gone.length;
  }
}

function snake(camel: string): string {
  return camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

async function recordParts(db: Db, masterId: string, f: Fetched, now: Date): Promise<void> {
  const p = minionIngestParts;
  const parts: IngestPart[] = ['keys', 'presence', 'grains'];
  for (const part of parts) {
    const failure = f.failed.find((x) => x.part === part);
    const set = failure ? { lastErrorAt: now, lastError: failure.message } : { lastSuccessAt: now, lastError: null };
    await db.insert(p).values({ masterId, part, ...set }).onConflictDoUpdate({ target: [p.masterId, p.part], set });
  }
}
