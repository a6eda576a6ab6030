/**
 * @module
 * Batches without blocking.
 *
 * salt-api offers two ways to run in batches and neither fits a web console as they stand:
 * - `local_batch` is synchronous: the HTTP request lasts until the last batch returned, and its
 *   answer has no jid (`[{"web01": true}, {"web02": true}]`, see the local_batch-test.ping
 *   recording), so there is nothing to follow while it runs.
 * - `local_async` with a `batch` key: netapi hands the key to `LocalClient.run_job`, which sends
 *   it along as a publish kwarg that the 3007 master ignores (`ClearFuncs.publish` has no batch
 *   path; the batch-async publish is a SUSE patch, not upstream). Measured on Salt 3007.14
 *   (scripts/salt-lab): `test.sleep 3` with `batch: 1` on two minions returned both after 3 s —
 *   the whole target at once, the opposite of what the user asked for.
 *
 * So a batch goes to the master as a runner job: `runner_async` `state.orchestrate_single` with
 * `fun: salt.function` runs `saltutil.cmd` → `LocalClient.cmd_batch` inside the master, and
 * salt-api answers at once with the runner's jid. Each batch is then its own minion job (its own
 * jid, target the batch's minions as a list, user root), so the run page counts the returns of
 * this function from the targeted minions since the dispatch, and the final per-minion returns
 * come from `jobs.lookup_jid` of the runner jid (`{}` until the orchestration is over). Verified
 * on 3007.14 by src/run/batch.contract.test.ts. The salt-api user needs `@runner` for this.
 */

/** What a batch dispatch needs from the Salt client (`client: runner_async`). */
export interface RunnerAsyncSalt {
  runnerAsync(fun: string, kwarg?: Record<string, unknown>): Promise<{ jid: string; tag?: string }>;
}

/** The runner that runs a batch on the master. */
export const BATCH_RUNNER = 'state.orchestrate_single';

/** The runner's keyword arguments for one command run in batches. */
export function batchRunnerKwarg(cmd: {
  tgt: string | string[];
  targetType: string;
  fun: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  batch: string;
  timeout: number | null;
}): Record<string, unknown> {
  return {
    fun: 'salt.function',
    name: cmd.fun,
    tgt: cmd.tgt,
    tgt_type: cmd.targetType,
    batch: cmd.batch,
    ...(cmd.args.length ? { arg: cmd.args } : {}),
    ...(Object.keys(cmd.kwargs).length ? { kwarg: cmd.kwargs } : {}),
    ...(cmd.timeout !== null ? { timeout: cmd.timeout } : {}),
  };
}

/** Dispatches a batch; the runner's jid. */
export async function dispatchBatch(salt: RunnerAsyncSalt, kwarg: Record<string, unknown>): Promise<string> {
  const { jid } = await salt.runnerAsync(BATCH_RUNNER, kwarg);
  return jid;
}

function isDict(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface BatchOutcome {
  /** False while the runner runs (`lookup_jid` answers `{}`). */
  finished: boolean;
  /** Per-minion returns gathered by `salt.function` (`changes.ret`). */
  returns: Record<string, unknown>;
  /** The runner's failure, when it failed. */
  error: string | null;
}

/**
 * Reads `jobs.lookup_jid` of the runner jid:
 * `{<master>: {fun, jid, return: {<master>: {"salt_|-<fun>_|-<fun>_|-function": {changes: {ret: {mid: ret}}, result, comment}}}, success}}`.
 */
export function batchOutcome(lookup: Record<string, unknown>): BatchOutcome {
  const entries = Object.values(lookup);
  if (entries.length === 0) return { finished: false, returns: {}, error: null };
  const returns: Record<string, unknown> = {};
  let error: string | null = null;
  for (const outer of entries) {
    const ret = isDict(outer) && 'return' in outer ? outer.return : outer;
    if (isDict(outer) && outer.success === false) error = typeof ret === 'string' ? ret : JSON.stringify(ret);
    if (!isDict(ret)) {
      if (typeof ret === 'string') error ??= ret;
      continue;
    }
    for (const states of Object.values(ret)) {
      if (!isDict(states)) continue;
      for (const st of Object.values(states)) {
        if (!isDict(st)) continue;
        const changes = st.changes;
        if (isDict(changes) && isDict(changes.ret)) Object.assign(returns, changes.ret);
        if (st.result === false && Object.keys(returns).length === 0 && typeof st.comment === 'string') error ??= st.comment;
      }
    }
  }
  return { finished: true, returns, error };
}
