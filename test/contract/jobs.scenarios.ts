/**
 * Contract scenarios for jobs against a real salt-api: login, test.ping, state.apply with a
 * failing state, local_async + lookup_jid, jobs.list_jobs with start_time, test.sleep + kill, and
 * the error shapes the client turns into exceptions.
 *
 * Registered by salt-api.test.ts inside its (skippable) describe, so the scenarios run in order,
 * one at a time, against the one lab.
 *
 * @module
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SaltApiError, type SaltApiClient } from '../../src/salt/client.ts';
import { ACCEPTED, JID, eventually, jidStartTime, labClient, type ContractEnv } from './lab.ts';

/** A state result key: `<module>_|-<id>_|-<name>_|-<function>`. */
const STATE_KEY = /^[a-z_]+_\|-.+_\|-.+_\|-[a-z_]+$/;
/** `jobs.list_jobs`' StartTime, e.g. `2026, Nov 24 15:28:33.710187`. */
const START_TIME = /^\d{4}, [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/;

interface StateResult {
  result: boolean | null;
  changes: Record<string, unknown>;
  __id__: string;
  __run_num__: number;
}

/** Register the job scenarios; `client()` is the suite's shared, logged-in client. */
export function jobScenarios(env: ContractEnv, client: () => SaltApiClient): void {
  test('login: a 40-hex session token with the eauth perms, reused by later calls', async () => {
    const c = labClient(env);
    const token = await c.login();
    assert.match(token.token, /^[0-9a-f]{40}$/);
    assert.equal(token.user, env.username);
    assert.equal(token.eauth, env.eauth);
    assert.ok(Array.isArray(token.perms), 'perms is a list for a user with permissions');
    for (const perm of ['.*', '@wheel', '@runner', '@jobs']) assert.ok(token.perms.includes(perm), perm);
    assert.ok(token.expire > token.start && token.start > 1.7e9, 'float epoch seconds');
    assert.deepEqual(await c.localCall('web01', 'test.ping'), { web01: true });
    assert.equal(c.stats.logins, 1, 'the token from login() is reused, not renewed');
  });

  test('test.ping: every accepted minion answers true; the pending key is not targeted', async () => {
    const ret = await client().localCall('*', 'test.ping');
    assert.deepEqual(ret, Object.fromEntries(ACCEPTED.map((id) => [id, true])));
    assert.deepEqual(await client().localCall([...ACCEPTED], 'test.ping'), ret, 'a list target');
  });

  test('listConnectedMinions (manage.present) and local_batch: the accepted minions', async () => {
    const present = await client().listConnectedMinions();
    assert.deepEqual(Object.keys(present).sort(), [...ACCEPTED]);
    for (const ip of Object.values(present)) assert.match(ip, /^[0-9a-f.:]+$/, 'an IP address');
    // local_batch answers one {mid: ret} per minion; the client merges them into one map.
    assert.deepEqual(await client().localBatch('*', 'test.ping', { batch: '1' }), { db01: true, web01: true });
  });

  test('state.apply demo: `_|-` keyed results, exactly one result:false (cmd.run false)', async () => {
    const ret = await client().localCall('web01', 'state.apply', { arg: ['demo'] });
    const states = ret.web01 as Record<string, StateResult>;
    assert.equal(typeof states, 'object');
    assert.deepEqual(Object.keys(ret), ['web01']);
    for (const key of Object.keys(states)) assert.match(key, STATE_KEY);
    const failed = Object.entries(states).filter(([, s]) => s.result === false);
    assert.equal(failed.length, 1, 'one failing state');
    const [key, fail] = failed[0]!;
    assert.equal(key, 'cmd_|-demo_fail_|-false_|-run');
    assert.equal(fail.__id__, 'demo_fail');
    assert.equal(fail.changes.retcode, 1);
    const file = Object.values(states).find((s) => s.__id__ === 'demo_file');
    assert.equal(file?.result, true);

    // full_return is the only synchronous way to see the job's retcode: 2 for a failed state run.
    const full = await client().localCall('web01', 'state.apply', { arg: ['demo'], fullReturn: true });
    const web01 = full.web01 as { ret: Record<string, StateResult>; retcode: number; jid: string };
    assert.equal(web01.retcode, 2);
    assert.match(web01.jid, JID);
    assert.deepEqual(Object.keys(web01.ret).sort(), Object.keys(states).sort());

    // A missing sls is a list of strings, not a dict.
    const missing = await client().localCall('web01', 'state.apply', { arg: ['nosuchsls'] });
    assert.deepEqual(missing, { web01: ["No matching sls found for 'nosuchsls' in env 'base'"] });
  });

  test('local_async then lookup_jid: jid + targeted minions, then the returns', async () => {
    const job = await client().localAsync('*', 'test.ping');
    assert.match(job.jid, JID);
    assert.deepEqual([...job.minions].sort(), [...ACCEPTED]);
    const ret = await eventually('both returns in the job cache', async () => {
      const r = await client().lookupJid(job.jid);
      return Object.keys(r).length === ACCEPTED.length ? r : undefined;
    });
    assert.deepEqual(ret, { db01: true, web01: true });

    // A state job comes back wrapped for the highstate outputter.
    const state = await client().localAsync('web01', 'state.apply', { arg: ['demo'] });
    const wrapped = await eventually('the state job in the job cache', async () => {
      const r = await client().lookupJid(state.jid);
      return Object.keys(r).length > 0 ? r : undefined;
    });
    assert.equal(wrapped.outputter, 'highstate');
    const data = wrapped.data as Record<string, Record<string, StateResult>>;
    assert.equal(Object.values(data.web01!).filter((s) => s.result === false).length, 1);

    assert.deepEqual(await client().lookupJid('20000101000000000000'), {}, 'an unknown jid is {}');
  });

  test('jobs.list_jobs with start_time: keyed by jid, filtered by start time', async () => {
    const job = await client().localAsync('web01', 'test.ping');
    const since = await client().runnerCall('jobs.list_jobs', { start_time: jidStartTime(job.jid) });
    const jobs = since as Record<string, Record<string, unknown>>;
    const entry = jobs[job.jid];
    assert.ok(entry, `${job.jid} listed since its own start second`);
    assert.equal(entry.Function, 'test.ping');
    assert.equal(entry.Target, 'web01');
    assert.equal(entry['Target-type'], 'glob');
    assert.equal(entry.User, env.username);
    assert.deepEqual(entry.Arguments, []);
    assert.match(String(entry.StartTime), START_TIME);
    for (const jid of Object.keys(jobs)) assert.match(jid, JID);

    const later = (await client().runnerCall('jobs.list_jobs', {
      start_time: jidStartTime(job.jid, 2),
    })) as Record<string, unknown>;
    assert.equal(later[job.jid], undefined, 'a job older than start_time is left out');
  });

  test('test.sleep then kill: find_job sees it, kill_job signals it, then find_job is empty', async () => {
    const job = await client().localAsync('web01', 'test.sleep', { arg: [60] });
    const running = await eventually('the sleep to be running on web01', async () => {
      const r = await client().localCall('web01', 'saltutil.find_job', { arg: [job.jid] });
      const info = r.web01 as Record<string, unknown> | undefined;
      return info && info.jid === job.jid ? info : undefined;
    });
    assert.equal(running.fun, 'test.sleep');
    assert.equal(typeof running.pid, 'number');

    const killed = await client().killJob(job.jid, 'web01');
    assert.match(String(killed.web01), new RegExp(`^Signal 9 sent to job ${job.jid} at pid ${running.pid}$`));

    await eventually('find_job to come back empty', async () => {
      const r = await client().localCall('web01', 'saltutil.find_job', { arg: [job.jid] });
      return r.web01 && Object.keys(r.web01 as object).length === 0 ? r : undefined;
    });
    assert.deepEqual(await client().lookupJid(job.jid), {}, 'a killed job never returns');
  });

  test('errors: wheel success:false and a runner exception (500 JSON) raise SaltApiError', async () => {
    await assert.rejects(client().wheelCall('key.nosuch'), (err: unknown) => {
      assert.ok(err instanceof SaltApiError);
      // 3007 says "'key.nosuch' is not available."; 3008.5 trips over its own UnboundLocalError.
      assert.match(err.body, /Exception occurred in wheel key\.nosuch/);
      return true;
    });
    // A 500 is retried 3 times; a no-op sleep keeps the backoff out of the suite's wall time.
    const c = labClient(env, { sleep: async () => {} });
    await assert.rejects(c.runnerCall('manage.nosuch'), (err: unknown) => {
      assert.ok(err instanceof SaltApiError);
      assert.equal(err.status, 500);
      assert.match(err.body, /An unexpected error occurred/);
      return true;
    });
    assert.equal(c.stats.retries, 3);
  });
}
