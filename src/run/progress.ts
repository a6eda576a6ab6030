/**
 * @module
 * The progress of a dispatched run.
 *
 * With the activity stream live, returns are counted from the stored `job.ret` events — no Salt
 * call per refresh — and the returns themselves are fetched once, when every targeted minion has
 * returned (or when the user asks). With the stream off, `jobs.lookup_jid` is asked at each refresh.
 *
 * A minion that is down never returns. Once the jobs poller's `jobs.active` reading, taken well
 * after the dispatch, no longer lists the job, the run is over and such minions are `missing`.
 *
 * A batch run (batch.ts) is a runner job whose batches are minion jobs with their own jids, so its
 * returns are the `job.ret` events of the same function from the targeted minions since the
 * dispatch, and its final returns are in the runner's `lookup_jid` answer, which also says when it
 * is over (`{}` until then).
 */
import { and, asc, eq, gte, inArray } from 'drizzle-orm';
import type { Db } from '../db/types.ts';
import { activityEvents } from '../activity/model.ts';
import { hasFailure, minionReturns, parseStateReturn } from '../jobs/state-results.ts';
import { runDispatches, type RunDispatchRow } from './model.ts';
import { batchOutcome } from './batch.ts';
import { activeJobs, type ActiveJobs } from '../jobs/active.ts';

/** How long after the dispatch a `jobs.active` reading must be to say the job is over. */
export const ACTIVE_MARGIN_MS = 10_000;
import type { RunProgress } from './schemas.ts';

type Outcome = 'ok' | 'changes' | 'failed';

export interface ProgressDeps {
  db: Db;
  masterId: string;
  /** True while the activity stream is connected: returns are then counted from it. */
  streamLive: boolean;
  /** The Salt client (or a throw, 503): called only when Salt is needed. */
  salt: () => { lookupJid(jid: string): Promise<Record<string, unknown>> };
  /** The jobs poller's running set (default: the process-wide one). */
  active?: ActiveJobs;
}

/** Whether the jobs poller saw the job end: a reading well after the dispatch that lacks the jid. */
function endedPerJobsActive(active: ActiveJobs, masterId: string, row: RunDispatchRow): boolean {
  const snap = active.get(masterId);
  return snap.at !== null && snap.at.getTime() > row.dispatchedAt.getTime() + ACTIVE_MARGIN_MS && !snap.jids.has(row.jid);
}

/** A return read from lookup_jid: failures and changes are known for state runs only. */
function outcomeOfReturn(ret: unknown): Outcome | null {
  const parsed = parseStateReturn(ret);
  if (parsed.kind === 'raw') return null;
  if (hasFailure(parsed)) return 'failed';
  return parsed.kind === 'states' && parsed.counts.changed > 0 ? 'changes' : 'ok';
}

/** The `job.ret` outcomes the stream stored for this run, by minion. */
async function streamOutcomes(db: Db, masterId: string, row: RunDispatchRow): Promise<Map<string, Outcome | null>> {
  const where =
    row.batch === null
      ? and(eq(activityEvents.masterId, masterId), eq(activityEvents.jid, row.jid), eq(activityEvents.kind, 'job.ret'))
      : and(
          eq(activityEvents.masterId, masterId),
          eq(activityEvents.kind, 'job.ret'),
          eq(activityEvents.fun, row.fun),
          // Salt stamps events with the master's clock: allow it to lag Halite's by a little.
          gte(activityEvents.at, new Date(row.dispatchedAt.getTime() - 5_000)),
          inArray(activityEvents.minion, row.minions.length ? row.minions : ['']),
        );
  const rets = await db
    .select({ minion: activityEvents.minion, outcome: activityEvents.outcome })
    .from(activityEvents)
    .where(where)
    .orderBy(asc(activityEvents.id));
  const out = new Map<string, Outcome | null>();
  for (const r of rets) if (r.minion) out.set(r.minion, (r.outcome as Outcome | null) ?? null);
  return out;
}

/** A dispatched run's progress; null when Halite did not dispatch this jid. */
export async function runProgress(deps: ProgressDeps, jid: string, results: 'auto' | 'always'): Promise<RunProgress | null> {
  const [row] = await deps.db
    .select()
    .from(runDispatches)
    .where(and(eq(runDispatches.masterId, deps.masterId), eq(runDispatches.jid, jid)));
  if (!row) return null;
  const isBatch = row.batch !== null;
  const outcomes = deps.streamLive ? await streamOutcomes(deps.db, deps.masterId, row) : new Map<string, Outcome | null>();
  const allByStream = deps.streamLive && row.minions.every((m) => outcomes.has(m));
  const ended = !isBatch && endedPerJobsActive(deps.active ?? activeJobs, deps.masterId, row);
  let returns: Record<string, unknown> | null = null;
  let finished = allByStream || ended;
  let error: string | null = null;
  if (!deps.streamLive || finished || results === 'always') {
    const lookup = await deps.salt().lookupJid(jid);
    if (isBatch) {
      const b = batchOutcome(lookup);
      finished ||= b.finished;
      error = b.error;
      if (b.finished) returns = b.returns;
    } else {
      returns = minionReturns(lookup);
    }
    for (const [mid, ret] of Object.entries(returns ?? {})) {
      // The stream's outcome knows the retcode; lookup_jid's only the state results.
      if (!outcomes.has(mid) || outcomes.get(mid) === null) outcomes.set(mid, outcomeOfReturn(ret));
    }
  }
  const all = [...new Set([...row.minions, ...outcomes.keys()])].sort();
  const minions: RunProgress['minions'] = all.map((m) => {
    if (!outcomes.has(m)) return { minion: m, status: finished ? 'missing' : 'pending', outcome: null };
    return { minion: m, status: 'returned', outcome: outcomes.get(m) ?? null, ...(returns && m in returns ? { return: returns[m] } : {}) };
  });
  const returned = minions.filter((m) => m.status === 'returned').length;
  const failed = minions.filter((m) => m.outcome === 'failed').length;
  // Failing minions first, then those without a return, then the rest: what needs attention on top.
  const rank = (m: RunProgress['minions'][number]) => (m.outcome === 'failed' ? 0 : m.status !== 'returned' ? 1 : 2);
  minions.sort((a, b) => rank(a) - rank(b) || (a.minion < b.minion ? -1 : 1));
  return {
    jid,
    fun: row.fun,
    target: row.target,
    target_type: row.targetType,
    batch: row.batch,
    username: row.username,
    dispatched_at: row.dispatchedAt.toISOString(),
    targeted: row.minions.length,
    returned,
    failed,
    pending: minions.filter((m) => m.status === 'pending').length,
    done: returned >= all.length || finished,
    source: deps.streamLive ? 'stream' : 'lookup_jid',
    results_loaded: returns !== null,
    error,
    minions,
  };
}
