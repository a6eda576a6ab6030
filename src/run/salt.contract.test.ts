/**
 * The run feature's Salt assumptions, checked against a real Salt (scripts/salt-lab; skipped
 * unless HALITE_TEST_SALT_API_URL is set). Targets the snapshot cannot resolve are resolved by the
 * master's `cache.grains` with tgt/tgt_type. Batches: `local_async` ignores `batch` (one job, every minion at once),
 * while `runner_async state.orchestrate_single` with `salt.function` answers at once with the
 * runner's jid and runs one minion job per batch; `lookup_jid` of the runner says `{}` until it is
 * over and then carries every return, which `batchOutcome` reads.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { contractEnv, eventually, labClient, skipReason, ACCEPTED, JID } from '../../test/contract/lab.ts';
import type { SaltApiClient } from '../salt/client.ts';
import { BATCH_RUNNER, batchOutcome, batchRunnerKwarg } from './batch.ts';
import { resolveFromMaster } from './targets.ts';

const env = contractEnv();

/** `client: runner_async`, which SaltApiClient does not offer yet. */
async function runnerAsync(c: SaltApiClient, fun: string, kwarg: Record<string, unknown>): Promise<string> {
  const { token } = await c.login();
  const res = await fetch(`${c.url}/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-Auth-Token': token },
    body: JSON.stringify([{ client: 'runner_async', fun, kwarg }]),
  });
  assert.equal(res.status, 200, await res.clone().text());
  const jid = ((await res.json()) as { return: { jid: string }[] }).return[0]!.jid;
  assert.match(jid, JID);
  return jid;
}

/** A jid's time in ms (master local time read as UTC; only differences matter here). */
function jidMs(jid: string): number {
  const n = (a: number, b: number) => Number(jid.slice(a, b));
  return Date.UTC(n(0, 4), n(4, 6) - 1, n(6, 8), n(8, 10), n(10, 12), n(12, 14), n(14, 17));
}

interface ListedJob {
  Function: string;
  Arguments: unknown[];
  Target: unknown;
  'Target-type': string;
  StartTime: string;
}

describe('batches on a real Salt', { skip: skipReason(env) }, () => {
  test('local_async ignores batch: one job targets every minion at once', async () => {
    const c = labClient(env!);
    const { jid, minions } = await c.localAsync('*', 'test.sleep', { arg: [1], batch: '1' });
    assert.deepEqual([...minions].sort(), [...ACCEPTED].sort(), 'all minions in the one publish');
    const all = await eventually('both returns', async () => {
      const r = await c.lookupJid(jid);
      return Object.keys(r).length === ACCEPTED.length ? r : undefined;
    });
    assert.deepEqual(Object.keys(all).sort(), [...ACCEPTED].sort());
    await c.logout();
  });

  test('runner_async state.orchestrate_single runs one batch after the other and answers at once', async () => {
    const c = labClient(env!);
    const kwarg = batchRunnerKwarg({ tgt: '*', targetType: 'glob', fun: 'test.sleep', args: [1], kwargs: {}, batch: '1', timeout: null });
    const started = Date.now();
    const jid = await runnerAsync(c, BATCH_RUNNER, kwarg);
    assert.ok(Date.now() - started < 3000, 'salt-api did not wait for the batches');
    assert.deepEqual(batchOutcome(await c.lookupJid(jid)).finished, false, 'lookup_jid is {} while the runner runs');
    const outcome = await eventually('the runner to finish', async () => {
      const b = batchOutcome(await c.lookupJid(jid));
      return b.finished ? b : undefined;
    });
    assert.equal(outcome.error, null);
    assert.deepEqual(outcome.returns, Object.fromEntries(ACCEPTED.map((m) => [m, true])));
    // One minion job per batch: each targets one minion (as a list), after the runner's jid.
    const listed = (await c.runnerCall('jobs.list_jobs', { search_function: 'test.sleep' })) as Record<string, ListedJob>;
    const batches = Object.entries(listed).filter(([j, v]) => j > jid && v['Target-type'] === 'list');
    assert.equal(batches.length, ACCEPTED.length, JSON.stringify(listed));
    for (const [, v] of batches) assert.equal((v.Target as string[]).length, 1);
    const [first, second] = batches.map(([j]) => jidMs(j)).sort((a, b) => a - b);
    assert.ok(second! - first! >= 900, `the second batch started once the first (test.sleep 1) ended: ${second! - first!} ms apart`);
    await c.logout();
  });
});

describe('target resolution by the master on a real Salt', { skip: skipReason(env) }, () => {
  test('cache.grains with tgt/tgt_type resolves compound, ipcidr, pillar and nodegroup targets', async () => {
    const c = labClient(env!);
    const accepted = [...ACCEPTED].sort();
    assert.deepEqual(await resolveFromMaster(c, 'compound', 'G@os:* and web*'), ['web01']);
    assert.deepEqual(await resolveFromMaster(c, 'ipcidr', '127.0.0.0/8'), accepted);
    assert.deepEqual(await resolveFromMaster(c, 'pillar', 'nosuchpillar:x'), []);
    assert.deepEqual(await resolveFromMaster(c, 'nodegroup', 'nosuchgroup'), []);
    assert.deepEqual(await resolveFromMaster(c, 'compound', 'bad ( expr'), [], 'a malformed expression matches nothing');
    await c.logout();
  });
});
