/**
 * @module
 * Running a command: the preview (target resolved, danger and size checked) and the dispatch (the
 * same checks again on the server, then `local_async`, or a runner job for a batch — see batch.ts
 * for why). The progress of a dispatched run is in progress.ts.
 */
import type { Db } from '../db/types.ts';
import { SaltApiError } from '../salt/errors.ts';
import type { LocalAsyncOptions, LocalAsyncResult } from '../salt/types.ts';
import { runDispatches } from './model.ts';
import { dangerReason } from './danger.ts';
import { resolveTarget, type TargetSalt } from './targets.ts';
import { batchRunnerKwarg, dispatchBatch, type RunnerAsyncSalt } from './batch.ts';
import type { RunAccepted, RunCommand, RunPreview } from './schemas.ts';

/** The ids a preview lists at most (the count is always exact). */
export const PREVIEW_LIST_CAP = 1000;

/** What the run feature needs from SaltApiClient. */
export interface RunSalt extends TargetSalt, RunnerAsyncSalt {
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
  return (await resolvedPreview(deps, cmd)).preview;
}

/** The preview and every matched id (the preview lists at most PREVIEW_LIST_CAP). */
async function resolvedPreview(deps: RunDeps, cmd: RunCommand): Promise<{ preview: RunPreview; minions: string[] }> {
  const resolved = await resolveTarget({ db: deps.db, masterId: deps.masterId, salt: deps.salt }, cmd.targetType, cmd.target);
  return { preview: describePreview(deps, cmd, resolved.minions, resolved.source), minions: resolved.minions };
}

function describePreview(deps: RunDeps, cmd: RunCommand, minions: string[], source: RunPreview['source']): RunPreview {
  const resolved = { minions, source };
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

/** Starts the job: `local_async`, or the batch runner. Null when Salt matched no minion. */
async function publish(salt: RunSalt, cmd: RunCommand, tgt: string | string[], resolved: string[]): Promise<LocalAsyncResult | null> {
  if (cmd.batch !== null) {
    const jid = await dispatchBatch(salt, batchRunnerKwarg({ ...cmd, tgt, batch: cmd.batch }));
    return { jid, minions: resolved };
  }
  try {
    return await salt.localAsync(tgt, cmd.fun, {
      tgtType: cmd.targetType,
      ...(cmd.args.length ? { arg: cmd.args } : {}),
      ...(Object.keys(cmd.kwargs).length ? { kwarg: cmd.kwargs } : {}),
      ...(cmd.timeout !== null ? { timeout: cmd.timeout } : {}),
    });
  } catch (e) {
    // salt-api answers `[{}]` when no minion matched: the user's target, not a Salt failure.
    if (e instanceof SaltApiError && e.status === 200 && e.body === '{}') return null;
    throw e;
  }
}

/**
 * Checks the confirmations against a fresh resolution of the target, then publishes the job with
 * `local_async` (the minions are the ones Salt says it targeted), or starts the batch runner (the
 * minions are the resolved ones: the runner answers with its jid only).
 */
export async function dispatchRun(
  deps: RunDeps,
  cmd: RunCommand,
  sent: Confirmations,
  who: { userId: number | null; username: string },
): Promise<DispatchOutcome> {
  const { preview, minions: resolved } = await resolvedPreview(deps, cmd);
  const problem = confirmationProblem(preview, sent);
  if (problem) return { ok: false, reason: 'unconfirmed', ...problem, preview };
  const tgt = cmd.targetType === 'list' ? cmd.target.split(',').map((s) => s.trim()).filter(Boolean) : cmd.target;
  const noMinions = { ok: false as const, reason: 'no_minions' as const, field: 'target', message: 'no minion matched the target, so nothing ran', preview };
  // The batch runner would start and do nothing: say so now.
  if (cmd.batch !== null && resolved.length === 0) return noMinions;
  const result = await publish(deps.salt(), cmd, tgt, resolved);
  if (!result) return noMinions;
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
