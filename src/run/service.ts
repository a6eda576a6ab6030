/**
 * @module
 * Running a command: the preview (target resolved, danger and size checked), the dispatch (the same
 * checks again on the server, then `local_async`) and the progress of a dispatched run.
 *
 * Batches: salt-api's `local_batch` client is synchronous — the HTTP request lasts until every
 * batch has returned (see the `local_batch-test.ping` recording: one dict per minion, no jid), so
 * it cannot give a jid to follow and would hold a worker for the whole run. Instead the batch goes
 * to `local_async` as a top-level `batch` key: netapi hands extra lowstate keys to
 * `LocalClient.run_job`, which sends them to the master as the publish's `kwargs`, and the master
 * (`ClearFuncs.publish`, since Salt 3001) hands a publish carrying `batch` to `BatchAsync`
 * (salt/cli/batch_async.py), which runs the moving window on the master and answers at once with
 * the batch jid and the targeted minions. Returns then arrive as `salt/job/<jid>/ret/<mid>`
 * like any job, so the run page follows a batch exactly as it follows any other run.
 */
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../db/types.ts';
import { SaltApiError } from '../salt/errors.ts';
import type { LocalAsyncOptions, LocalAsyncResult } from '../salt/types.ts';
import { activityEvents } from '../activity/model.ts';
import { hasFailure, minionReturns, parseStateReturn } from '../jobs/state-results.ts';
import { runDispatches } from './model.ts';
import { dangerReason } from './danger.ts';
import { resolveTarget, type TargetSalt } from './targets.ts';
import type { RunAccepted, RunCommand, RunPreview, RunProgress } from './schemas.ts';

/** The ids a preview lists at most (the count is always exact). */
export const PREVIEW_LIST_CAP = 1000;

/** What the run feature needs from SaltApiClient. */
export interface RunSalt extends TargetSalt {
  localAsync(tgt: string | string[], fun: string, o?: LocalAsyncOptions): Promise<LocalAsyncResult>;
  lookupJid(jid: string): Promise<Record<string, unknown>>;
}

export interface RunDeps {
  db: Db;
  masterId: string;
  /** The Salt client, or a throw (503) when there is none: called only when Salt is needed. */
  salt: () => RunSalt;
  /** app_settings.run_confirm_threshold; 0 turns the size check off. */
  threshold: number;
  now: () => Date;
}

export type ConfirmationKind = RunPreview['confirmation'];

/** Which confirmation a run needs: typing the count for a large target, else a plain confirm for a dangerous function. */
export function confirmationFor(count: number, threshold: number, danger: string | null): ConfirmationKind {
  if (threshold > 0 && count > threshold) return 'type_count';
  return danger ? 'confirm' : 'none';
}

/** Resolves the target and says what confirmation running the command would need. */
export async function previewRun(deps: RunDeps, cmd: RunCommand): Promise<RunPreview> {
  const resolved = await resolveTarget({ db: deps.db, masterId: deps.masterId, salt: deps.salt }, cmd.targetType, cmd.target);
  const danger = dangerReason(cmd.fun, cmd.args, cmd.kwargs);
  return {
    target: cmd.target,
    target_type: cmd.targetType,
    fun: cmd.fun,
    count: resolved.minions.length,
    minions: resolved.minions.slice(0, PREVIEW_LIST_CAP),
    truncated: resolved.minions.length > PREVIEW_LIST_CAP,
    source: resolved.source,
    dangerous: danger !== null,
    danger_reason: danger,
    threshold: deps.threshold,
    confirmation: confirmationFor(resolved.minions.length, deps.threshold, danger),
  };
}

export interface Confirmations {
  confirm?: boolean;
  confirm_count?: number;
}

/** Null when the confirmations sent satisfy what the preview asks, else the field and why. */
export function confirmationProblem(p: RunPreview, sent: Confirmations): { field: string; message: string } | null {
  if (p.confirmation === 'type_count') {
    if (sent.confirm_count === p.count) return null;
    const why = `the target matches ${p.count} minions, more than the confirmation threshold of ${p.threshold}`;
    if (sent.confirm_count === undefined) return { field: 'confirm_count', message: `${why}: type ${p.count} to confirm` };
    return { field: 'confirm_count', message: `${sent.confirm_count} does not match: ${why}; type ${p.count} to confirm` };
  }
  if (p.confirmation === 'confirm' && sent.confirm !== true && sent.confirm_count !== p.count) {
    return { field: 'confirm', message: `${p.danger_reason}: confirm to run it (send confirm: true)` };
  }
  return null;
}

export type DispatchOutcome =
  | { ok: true; accepted: RunAccepted }
  | { ok: false; reason: 'unconfirmed' | 'no_minions'; field: string; message: string; preview: RunPreview };

/** Checks the confirmations against a fresh preview, then publishes the job with local_async. */
export async function dispatchRun(
  deps: RunDeps,
  cmd: RunCommand,
  sent: Confirmations,
  who: { userId: number | null; username: string },
): Promise<DispatchOutcome> {
  const preview = await previewRun(deps, cmd);
  const problem = confirmationProblem(preview, sent);
  if (problem) return { ok: false, reason: 'unconfirmed', ...problem, preview };
  const tgt = cmd.targetType === 'list' ? cmd.target.split(',').map((s) => s.trim()).filter(Boolean) : cmd.target;
  let result: LocalAsyncResult;
  try {
    result = await deps.salt().localAsync(tgt, cmd.fun, {
      tgtType: cmd.targetType,
      ...(cmd.args.length ? { arg: cmd.args } : {}),
      ...(Object.keys(cmd.kwargs).length ? { kwarg: cmd.kwargs } : {}),
      ...(cmd.timeout !== null ? { timeout: cmd.timeout } : {}),
      ...(cmd.batch !== null ? { batch: cmd.batch } : {}),
    });
  } catch (e) {
    // salt-api answers `[{}]` when no minion matched: the user's target, not a Salt failure.
    if (e instanceof SaltApiError && e.status === 200 && e.body === '{}') {
      return { ok: false, reason: 'no_minions', field: 'target', message: 'no minion matched the target, so nothing ran', preview };
    }
    throw e;
  }
  await deps.db.insert(runDispatches).values({
    masterId: deps.masterId,
    jid: result.jid,
    userId: who.userId,
    username: who.username,
    fun: cmd.fun,
    target: cmd.target,
    targetType: cmd.targetType,
    args: cmd.args,
    kwargs: cmd.kwargs,
    batch: cmd.batch,
    timeout: cmd.timeout,
    minions: result.minions,
    dispatchedAt: deps.now(),
  });
  return {
    ok: true,
    accepted: {
      jid: result.jid,
      minions: result.minions,
      minion_count: result.minions.length,
      fun: cmd.fun,
      target: cmd.target,
      target_type: cmd.targetType,
      batch: cmd.batch,
      links: { run: `/run/${result.jid}`, job: `/jobs/${result.jid}` },
    },
  };
}

type Outcome = 'ok' | 'changes' | 'failed';

/** A return read from lookup_jid: failures and changes are known for state runs only. */
function outcomeOfReturn(ret: unknown): Outcome | null {
  const parsed = parseStateReturn(ret);
  if (parsed.kind === 'raw') return null;
  if (hasFailure(parsed)) return 'failed';
  return parsed.kind === 'states' && parsed.counts.changed > 0 ? 'changes' : 'ok';
}

export interface ProgressDeps {
  db: Db;
  masterId: string;
  /** True while the activity stream is connected: returns are then counted from it. */
  streamLive: boolean;
  salt: () => Pick<RunSalt, 'lookupJid'>;
}

/**
 * A dispatched run's progress; null when Halite did not dispatch this jid. With the stream live,
 * counts come from the stored `job.ret` events (no Salt call) and the returns are fetched once
 * the run is done (or when asked); with the stream off, from `jobs.lookup_jid`.
 */
export async function runProgress(deps: ProgressDeps, jid: string, results: 'auto' | 'always'): Promise<RunProgress | null> {
  const [row] = await deps.db
    .select()
    .from(runDispatches)
    .where(and(eq(runDispatches.masterId, deps.masterId), eq(runDispatches.jid, jid)));
  if (!row) return null;
  const outcomes = new Map<string, Outcome | null>();
  let returns: Record<string, unknown> | null = null;
  if (deps.streamLive) {
    const rets = await deps.db
      .select({ minion: activityEvents.minion, outcome: activityEvents.outcome })
      .from(activityEvents)
      .where(and(eq(activityEvents.masterId, deps.masterId), eq(activityEvents.jid, jid), eq(activityEvents.kind, 'job.ret')))
      .orderBy(asc(activityEvents.id));
    for (const r of rets) if (r.minion) outcomes.set(r.minion, (r.outcome as Outcome | null) ?? null);
  }
  const doneByStream = deps.streamLive && row.minions.every((m) => outcomes.has(m));
  if (!deps.streamLive || doneByStream || results === 'always') {
    returns = minionReturns(await deps.salt().lookupJid(jid));
    for (const [mid, ret] of Object.entries(returns)) {
      // The stream's outcome knows the retcode; lookup_jid's only the state results.
      if (!outcomes.has(mid) || outcomes.get(mid) === null) outcomes.set(mid, outcomeOfReturn(ret));
    }
  }
  const all = [...new Set([...row.minions, ...outcomes.keys()])].sort();
  const minions: RunProgress['minions'] = all.map((m) =>
    outcomes.has(m)
      ? { minion: m, status: 'returned', outcome: outcomes.get(m) ?? null, ...(returns && m in returns ? { return: returns[m] } : {}) }
      : { minion: m, status: 'pending', outcome: null },
  );
  const returned = minions.filter((m) => m.status === 'returned').length;
  const failed = minions.filter((m) => m.outcome === 'failed').length;
  // Failing minions first, then pending, then the rest: what needs attention on top.
  const rank = (m: RunProgress['minions'][number]) => (m.outcome === 'failed' ? 0 : m.status === 'pending' ? 1 : 2);
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
    pending: all.length - returned,
    done: returned >= all.length,
    source: deps.streamLive ? 'stream' : 'lookup_jid',
    results_loaded: returns !== null,
    minions,
  };
}
