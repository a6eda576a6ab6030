/**
 * @module
 * The jobs poller's work, as a plain function tests call directly:
 * 1. runner `jobs.list_jobs` over a window starting at the newest start time already indexed
 *    (minus an overlap, since a job can land in the cache slightly out of order; the first run
 *    looks back 24 h), upserted into `jobs_index`;
 * 2. runner `jobs.active` on the same tick, which replaces the in-memory running set;
 * 3. `jobs.list_job` for a bounded number of jobs whose minions or result are not known yet;
 * 4. rows older than the retention period (settings: `jobs_retention_days`) are deleted.
 */
import { and, desc, eq, isNull, lt, max, notLike, sql } from 'drizzle-orm';
import type { Db } from '../db/types.ts';
import type { Logger } from '../log.ts';
import { readSettingsRow } from '../settings/service.ts';
import { activeJobs as sharedActive, type ActiveJobs } from './active.ts';
import { jobsIndex, type NewJobRow } from './model.ts';
import { jobStartTime, saltTimeArg } from './time.ts';

/** The part of SaltApiClient the poller uses (tests can pass a fake). */
export interface JobsSalt {
  runnerCall(fun: string, kwarg?: Record<string, unknown>, arg?: unknown[]): Promise<unknown>;
}

export interface IngestDeps {
  db: Db;
  salt: JobsSalt;
  masterId: string;
  now: () => Date;
  signal?: AbortSignal;
  logger?: Logger;
  active?: ActiveJobs;
  /** Default: `jobs_retention_days` from the settings row. */
  retentionDays?: number;
  /** Re-read this much before the newest start time seen (default 5 min). */
  overlapMs?: number;
  /** How far back the very first run looks (default 24 h). */
  firstWindowMs?: number;
  /** `jobs.list_job` lookups per tick (default 50). */
  enrichLimit?: number;
}

export interface IngestReport {
  listed: number;
  upserted: number;
  running: number;
  enriched: number;
  pruned: number;
}

/**
 * Salt's own bookkeeping and the read-only calls Halite's pollers make: every tick of the jobs,
 * minions and keys pollers leaves runner/wheel jobs like these in the cache (thousands a day), and
 * `saltutil.find_job` is how the master checks on running jobs. Indexing them would bury the
 * operators' jobs; they change nothing, so nothing is lost. Writes (key.accept, ...) are kept.
 */
export const IGNORED_FUNCTIONS = new Set([
  'saltutil.find_job',
  'runner.jobs.list_jobs',
  'runner.jobs.active',
  'runner.jobs.list_job',
  'runner.jobs.lookup_jid',
  'runner.manage.present',
  'runner.manage.status',
  'runner.cache.grains',
  'runner.cache.pillar',
  'wheel.key.list_all',
  'wheel.key.finger',
]);

// On PGlite SQL runs on this thread: small statements with a macrotask turn between them keep a
// first tick of 100k jobs from stalling HTTP requests for seconds.
const BATCH = 1000;
const yieldTurn = () => new Promise<void>((r) => setTimeout(r, 0));

function isDict(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** One `list_jobs` entry as an index row (null when it is not a job we keep). */
export function jobRow(masterId: string, jid: string, v: unknown, fallback: Date): NewJobRow | null {
  if (!/^\d{20}$/.test(jid) || !isDict(v)) return null;
  const fn = typeof v.Function === 'string' ? v.Function : '';
  if (!fn || IGNORED_FUNCTIONS.has(fn)) return null;
  const target = Array.isArray(v.Target) ? v.Target.map(String).join(',') : typeof v.Target === 'string' ? v.Target : String(v.Target ?? '');
  return {
    masterId,
    jid,
    function: fn,
    arguments: Array.isArray(v.Arguments) ? v.Arguments : [],
    target,
    targetType: typeof v['Target-type'] === 'string' ? v['Target-type'] : 'glob',
    user: typeof v.User === 'string' ? v.User : '',
    startTime: jobStartTime(v.StartTime, jid, fallback),
  };
}

/** `jobs.active` → jid → minions still running it. */
export function parseActive(value: unknown): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!isDict(value)) return out;
  for (const [jid, job] of Object.entries(value)) {
    const running = isDict(job) && Array.isArray(job.Running) ? job.Running : [];
    out.set(jid, running.flatMap((r) => (isDict(r) ? Object.keys(r) : [])));
  }
  return out;
}

/** A job's result summary from `jobs.list_job`'s `Result` map. */
export function summarize(result: unknown): { returned: number; succeeded: number; failed: number } {
  const entries = isDict(result) ? Object.values(result) : [];
  let succeeded = 0;
  for (const r of entries) {
    const ok = isDict(r) ? (typeof r.success === 'boolean' ? r.success : r.retcode === 0 || r.retcode === undefined) : false;
    if (ok) succeeded++;
  }
  return { returned: entries.length, succeeded, failed: entries.length - succeeded };
}

/**
 * Upserts rows as one JSON parameter per batch, expanded by `jsonb_to_recordset`: building a
 * 1000-row VALUES list costs drizzle ~70 ms and Postgres a bind parameter per value, while one
 * JSON text is cheap on both drivers (measured in bench/jobs-index.ts).
 */
async function upsert(db: Db, masterId: string, entries: [string, unknown][], now: Date): Promise<number> {
  let upserted = 0;
  for (let i = 0; i < entries.length; i += BATCH) {
    if (i > 0) await yieldTurn();
    // Rows are built batch by batch too: reading 100k entries at once is a second of work.
    const rows = entries.slice(i, i + BATCH).flatMap(([jid, v]) => jobRow(masterId, jid, v, now) ?? []);
    if (rows.length === 0) continue;
    upserted += rows.length;
    const json = JSON.stringify(
      rows.map((r) => ({
        master_id: r.masterId,
        jid: r.jid,
        function: r.function,
        arguments: r.arguments ?? [],
        target: r.target ?? '',
        target_type: r.targetType ?? 'glob',
        user: r.user ?? '',
        start_time: r.startTime.toISOString(),
      })),
    );
    await db.execute(sql`
      insert into jobs_index (master_id, jid, "function", arguments, target, target_type, "user", start_time)
      select master_id, jid, "function", arguments, target, target_type, "user", start_time
      from jsonb_to_recordset(${json}::jsonb) as x(master_id text, jid text, "function" text, arguments jsonb,
        target text, target_type text, "user" text, start_time timestamptz)
      on conflict (master_id, jid) do update set
        "function" = excluded."function", arguments = excluded.arguments, target = excluded.target,
        target_type = excluded.target_type, "user" = excluded."user", start_time = excluded.start_time`);
  }
  return upserted;
}

/** Looks up jobs whose minions or result are unknown, newest first, a few at a time. */
async function enrich(d: IngestDeps, running: ReadonlySet<string>, limit: number): Promise<number> {
  const { db, masterId } = d;
  const todo = await db
    .select({ jid: jobsIndex.jid })
    .from(jobsIndex)
    .where(
      and(
        eq(jobsIndex.masterId, masterId),
        isNull(jobsIndex.summaryAt),
        // Runner and wheel jobs run on the master: they have no minions to look up.
        notLike(jobsIndex.function, 'runner.%'),
        notLike(jobsIndex.function, 'wheel.%'),
      ),
    )
    .orderBy(desc(jobsIndex.startTime))
    .limit(limit);
  let done = 0;
  const queue = [...todo];
  const worker = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      const info = await d.salt.runnerCall('jobs.list_job', undefined, [job.jid]);
      if (d.signal?.aborted) return;
      const minions = isDict(info) && Array.isArray(info.Minions) ? info.Minions.map(String) : [];
      const isRunning = running.has(job.jid);
      const known = isDict(info) && !('Error' in info);
      const summary = !isRunning ? (known ? summarize(info.Result) : { returned: 0, succeeded: 0, failed: 0 }) : null;
      await db
        .update(jobsIndex)
        .set({
          minions,
          minionCount: minions.length,
          ...(summary ? { ...summary, summaryAt: d.now() } : {}),
        })
        .where(and(eq(jobsIndex.masterId, masterId), eq(jobsIndex.jid, job.jid)));
      done++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, todo.length) }, worker));
  return done;
}

/** One poll: list, upsert, refresh the running set, enrich, prune. */
export async function ingestJobs(d: IngestDeps): Promise<IngestReport> {
  const { db, masterId } = d;
  const now = d.now();
  const active = d.active ?? sharedActive;
  const [{ newest }] = await db.select({ newest: max(jobsIndex.startTime) }).from(jobsIndex).where(eq(jobsIndex.masterId, masterId));
  const since = newest
    ? new Date(new Date(newest).getTime() - (d.overlapMs ?? 5 * 60_000))
    : new Date(now.getTime() - (d.firstWindowMs ?? 24 * 3600_000));
  const [listed, activeRaw] = await Promise.all([
    d.salt.runnerCall('jobs.list_jobs', { start_time: saltTimeArg(since) }),
    d.salt.runnerCall('jobs.active'),
  ]);
  if (d.signal?.aborted) return { listed: 0, upserted: 0, running: 0, enriched: 0, pruned: 0 };
  const entries = isDict(listed) ? Object.entries(listed) : [];
  const upserted = await upsert(db, masterId, entries, now);
  const running = parseActive(activeRaw);
  active.set(masterId, running, now);

  const enriched = d.signal?.aborted ? 0 : await enrich(d, new Set(running.keys()), d.enrichLimit ?? 50);

  const retentionDays = d.retentionDays ?? (await readSettingsRow(db)).jobsRetentionDays;
  let pruned = 0;
  if (retentionDays > 0 && !d.signal?.aborted) {
    const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);
    const gone = await db
      .delete(jobsIndex)
      .where(and(eq(jobsIndex.masterId, masterId), lt(jobsIndex.startTime, cutoff)))
      .returning({ jid: jobsIndex.jid });
    pruned = gone.length;
  }
  const report = { listed: entries.length, upserted, running: running.size, enriched, pruned };
  d.logger?.debug('jobs ingest', { ...report });
  return report;
}
