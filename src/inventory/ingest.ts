/**
 * @module
 * One inventory tick: `pkg.list_pkgs` dispatched with `local_async` to batches of the present
 * minions (500 by default), then each batch gathered with the runner `jobs.lookup_jid` until all
 * its minions returned or the tick's deadline passed, and written through the diff layer
 * (write.ts) batch by batch. Only one batch's returns are in memory at a time, and the tick
 * yields to the event loop between batches, so a 10k-minion fleet never blocks the process.
 *
 * Minions that do not return in time keep their stored packages; minions whose keys left the
 * fleet lose theirs. Which minions exist comes from the minions snapshot (minion_snapshots).
 */
import { eq } from 'drizzle-orm';
import type { Db } from '../db/types.ts';
import type { Logger } from '../log.ts';
import type { LocalAsyncOptions, LocalAsyncResult } from '../salt/client.ts';
import { minionSnapshots } from '../minions/model.ts';
import { minionPackages, type MinionPackages } from './packages.ts';
import { applyPackageSets, removeMinions, storedHashes } from './write.ts';

/** The salt-api calls a tick makes (a SaltApiClient, or a fake in tests). */
export interface InventorySalt {
  localAsync(tgt: string | string[], fun: string, o?: LocalAsyncOptions): Promise<LocalAsyncResult>;
  lookupJid(jid: string): Promise<Record<string, unknown>>;
}

export interface InventoryIngestDeps {
  db: Db;
  salt: InventorySalt;
  masterId: string;
  now: () => Date;
  signal?: AbortSignal;
  logger?: Logger;
  /** Minions per `local_async` job (default 500). */
  batchSize?: number;
  /** How long the whole tick waits for returns (default 120 s). */
  deadlineMs?: number;
  /** Pause between two lookups of a batch still waiting for minions (default 2 s). */
  pollMs?: number;
  /** Injected waits and monotonic clock (tests). */
  sleep?: (ms: number) => Promise<void>;
  clock?: () => number;
}

export interface InventoryIngestReport {
  targeted: number;
  returned: number;
  /** Present minions that did not return before the deadline. */
  missing: number;
  /** Returns that were not a package dict (e.g. the function is not available). */
  invalid: number;
  minionsChanged: number;
  minionsUnchanged: number;
  minionsRemoved: number;
  rowsInserted: number;
  rowsDeleted: number;
  /** rowsInserted + rowsDeleted: package rows the tick wrote. */
  rowsWritten: number;
  batches: number;
  failedBatches: { minions: number; message: string }[];
  ms: number;
  aborted: boolean;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** A macrotask turn: lets requests and timers run between two batches. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

interface Target {
  id: string;
  osFamily: string | null;
}

/** The present, accepted minions with their os_family, and every accepted id. */
async function loadTargets(db: Db, masterId: string): Promise<{ present: Target[]; accepted: Set<string>; snapshotRows: number }> {
  const t = minionSnapshots;
  const rows = await db
    .select({ id: t.id, keyStatus: t.keyStatus, present: t.present, grains: t.grains })
    .from(t)
    .where(eq(t.masterId, masterId))
    .orderBy(t.id);
  const accepted = new Set(rows.filter((r) => r.keyStatus === 'accepted').map((r) => r.id));
  const present = rows
    .filter((r) => r.keyStatus === 'accepted' && r.present)
    .map((r) => ({ id: r.id, osFamily: typeof r.grains?.os_family === 'string' ? r.grains.os_family : null }));
  return { present, accepted, snapshotRows: rows.length };
}

interface Dispatched {
  targets: Target[];
  jid: string | null;
  error?: string;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Runs one tick. Throws only when every dispatch failed (Salt is down) or the database fails. */
export async function ingestInventory(d: InventoryIngestDeps): Promise<InventoryIngestReport> {
  const clock = d.clock ?? (() => performance.now());
  const sleep = d.sleep ?? defaultSleep;
  const started = clock();
  const deadline = started + (d.deadlineMs ?? 120_000);
  const batchSize = d.batchSize ?? 500;
  const report: InventoryIngestReport = {
    targeted: 0, returned: 0, missing: 0, invalid: 0, minionsChanged: 0, minionsUnchanged: 0, minionsRemoved: 0,
    rowsInserted: 0, rowsDeleted: 0, rowsWritten: 0, batches: 0, failedBatches: [], ms: 0, aborted: false,
  };
  const { present, accepted, snapshotRows } = await loadTargets(d.db, d.masterId);
  const known = await storedHashes(d.db, d.masterId);
  report.targeted = present.length;

  // Dispatch every batch first: the minions work in parallel while earlier batches are written.
  const dispatched: Dispatched[] = [];
  for (let i = 0; i < present.length; i += batchSize) {
    const targets = present.slice(i, i + batchSize);
    try {
      const job = await d.salt.localAsync(targets.map((t) => t.id), 'pkg.list_pkgs', { tgtType: 'list' });
      dispatched.push({ targets, jid: job.jid });
    } catch (e) {
      dispatched.push({ targets, jid: null, error: messageOf(e) });
    }
    if (d.signal?.aborted) break;
  }
  report.batches = dispatched.length;
  const failures = dispatched.filter((b) => b.jid === null);
  report.failedBatches = failures.map((b) => ({ minions: b.targets.length, message: b.error ?? '' }));
  if (dispatched.length > 0 && failures.length === dispatched.length) {
    throw new Error(`inventory: every pkg.list_pkgs dispatch failed: ${failures[0].error}`);
  }

  for (const batch of dispatched) {
    if (!batch.jid || d.signal?.aborted) continue;
    const returns = await gather(d, batch.jid, batch.targets, deadline, clock, sleep);
    if (d.signal?.aborted) break;
    const sets: MinionPackages[] = [];
    for (const [i, t] of batch.targets.entries()) {
      // Sorting and hashing 500 package lists is ~100 ms of CPU: let requests in every 100 minions.
      if (i > 0 && i % 100 === 0) await yieldToEventLoop();
      if (!Object.hasOwn(returns, t.id)) {
        report.missing++;
        continue;
      }
      report.returned++;
      const set = minionPackages(t.id, t.osFamily, batch.jid, returns[t.id]);
      if (set) sets.push(set);
      else report.invalid++;
    }
    const w = await applyPackageSets(d.db, d.masterId, sets, known, d.now());
    report.minionsChanged += w.minionsChanged;
    report.minionsUnchanged += w.minionsUnchanged;
    report.rowsInserted += w.rowsInserted;
    report.rowsDeleted += w.rowsDeleted;
    await yieldToEventLoop();
  }

  // Only with a snapshot: an empty or missing one must not wipe the inventory.
  if (snapshotRows > 0 && !d.signal?.aborted) {
    const gone = [...known.keys()].filter((id) => !accepted.has(id));
    report.minionsRemoved = await removeMinions(d.db, d.masterId, gone, known);
  }
  report.rowsWritten = report.rowsInserted + report.rowsDeleted;
  report.aborted = d.signal?.aborted ?? false;
  report.ms = Math.round(clock() - started);
  d.logger?.info('inventory tick', { ...report, failedBatches: report.failedBatches.length });
  return report;
}

/** Looks the batch's job up until every target returned or the deadline passed. */
async function gather(
  d: InventoryIngestDeps,
  jid: string,
  targets: readonly Target[],
  deadline: number,
  clock: () => number,
  sleep: (ms: number) => Promise<void>,
): Promise<Record<string, unknown>> {
  let last: Record<string, unknown> = {};
  for (;;) {
    try {
      last = await d.salt.lookupJid(jid);
    } catch (e) {
      d.logger?.warn('inventory lookup failed', { jid, error: messageOf(e) });
    }
    if (targets.every((t) => Object.hasOwn(last, t.id))) return last;
    if (d.signal?.aborted || clock() >= deadline) return last;
    await sleep(Math.min(d.pollMs ?? 2000, Math.max(0, deadline - clock())));
  }
}
