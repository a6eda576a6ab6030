/**
 * @module sim/master.test
 * Behaviour of the simulated master through salt-api: the job lifecycle (async jobs, find_job,
 * kill_job, lookup_jid, active), state results, job-cache filters, client shapes (full_return,
 * local_batch, local_subset), key management, error strings, and speed on a 10k-minion fleet.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startSimulator, type Simulator } from './server.ts';
import { call, login, rawRequest } from './testing.ts';

describe('the simulated master through salt-api', () => {
  let sim: Simulator;
  let token: string;
  const run = async (chunk: Record<string, unknown>) => {
    const r = await call(sim.url, token, [chunk]);
    assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 300));
    return r.body.return[0];
  };
  before(async () => {
    sim = await startSimulator({ preset: 'lab', jobDurationMs: 5 });
    token = await login(sim.url);
  });
  after(() => sim.close());

  test('async job lifecycle: running, find_job, kill_job, then nothing ever returns', async () => {
    const { jid, minions } = await run({ client: 'local_async', tgt: '*', fun: 'test.sleep', arg: [30] });
    assert.match(jid, /^\d{20}$/);
    assert.deepEqual(minions, ['web01', 'web02']);
    const found = await run({ client: 'local', tgt: '*', fun: 'saltutil.find_job', arg: [jid] });
    assert.equal(found.web01.jid, jid);
    assert.equal(found.web01.fun, 'test.sleep');
    const active = await run({ client: 'runner', fun: 'jobs.active' });
    assert.deepEqual(Object.keys(active), [jid]);
    const killed = await run({ client: 'local', tgt: '*', fun: 'saltutil.kill_job', arg: [jid] });
    assert.match(killed.web01, new RegExp(`^Signal 9 sent to job ${jid} at pid \\d+$`));
    assert.deepEqual(await run({ client: 'local', tgt: '*', fun: 'saltutil.find_job', arg: [jid] }), { web01: {}, web02: {} });
    assert.deepEqual(await run({ client: 'runner', fun: 'jobs.lookup_jid', arg: [jid] }), {});
    assert.deepEqual(await run({ client: 'runner', fun: 'jobs.active' }), {});
    const job = JSON.parse((await rawRequest(`${sim.url}/jobs/${jid}`, 'GET', { 'X-Auth-Token': token })).body.toString());
    assert.deepEqual(job.info[0].Result, {});
    assert.deepEqual(job.return, [{}]);
  });

  test('state results: failing state, test=True, missing sls, highstate wrapper in lookup_jid', async () => {
    const ret = await run({ client: 'local', tgt: 'web01', fun: 'state.apply', arg: ['demo'], full_return: true });
    assert.equal(ret.web01.retcode, 2);
    assert.equal(ret.web01.out, 'highstate');
    const fail = ret.web01.ret['cmd_|-demo_fail_|-false_|-run'];
    assert.equal(fail.result, false);
    assert.deepEqual(Object.keys(fail.changes).sort(), ['pid', 'retcode', 'stderr', 'stdout']);
    const dry = await run({ client: 'local', tgt: 'web01', fun: 'state.apply', arg: ['demo'], kwarg: { test: true } });
    assert.equal(dry.web01['cmd_|-demo_fail_|-false_|-run'].result, null);
    const dry2 = await run({ client: 'local', tgt: 'web01', fun: 'state.apply', arg: ['demo', 'test=True'] });
    assert.equal(dry2.web01['cmd_|-demo_fail_|-false_|-run'].result, null, 'test=True as a string arg works too');
    assert.deepEqual(await run({ client: 'local', tgt: 'web01', fun: 'state.apply', arg: ['nosuchsls'] }),
      { web01: ["No matching sls found for 'nosuchsls' in env 'base'"] });
    const { jid } = await run({ client: 'local_async', tgt: '*', fun: 'state.apply', arg: ['demo'] });
    await new Promise((r) => setTimeout(r, 40));
    const looked = await run({ client: 'runner', fun: 'jobs.lookup_jid', arg: [jid] });
    assert.equal(looked.outputter, 'highstate');
    assert.deepEqual(Object.keys(looked.data).sort(), ['web01', 'web02']);
    const listed = await run({ client: 'runner', fun: 'jobs.list_job', arg: [jid] });
    assert.equal(listed.Result.web01.success, false);
    assert.equal(listed.Result.web01.retcode, 2);
  });

  test('job cache filters: search_function (string and list), search_target, start_time', async () => {
    await run({ client: 'local', tgt: 'web01', fun: 'test.ping' });
    await run({ client: 'local', tgt: '*', fun: 'test.version' });
    const byFun = await run({ client: 'runner', fun: 'jobs.list_jobs', kwarg: { search_function: 'test.ping' } });
    assert.ok(Object.values(byFun).length > 0);
    assert.ok(Object.values(byFun).every((j: any) => j.Function === 'test.ping'));
    const byList = await run({ client: 'runner', fun: 'jobs.list_jobs', kwarg: { search_function: ['test.ping', 'test.version'] } });
    assert.deepEqual(new Set(Object.values(byList).map((j: any) => j.Function)), new Set(['test.ping', 'test.version']));
    const byTarget = await run({ client: 'runner', fun: 'jobs.list_jobs', kwarg: { search_target: 'web01' } });
    assert.ok(Object.values(byTarget).some((j: any) => j.Target === 'web01'));
    const future = new Date(Date.now() + 3_600_000).toISOString().replace('T', ' ').slice(0, 19);
    assert.deepEqual(await run({ client: 'runner', fun: 'jobs.list_jobs', kwarg: { start_time: future } }), {});
    const all = await run({ client: 'runner', fun: 'jobs.list_jobs' });
    for (const [jid, j] of Object.entries<any>(all)) {
      assert.match(jid, /^\d{20}$/);
      assert.match(j.StartTime, /^\d{4}, [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d\.\d{6}$/);
    }
  });

  test('client shapes: local_batch flattens, local_subset picks, runner and wheel async give tags', async () => {
    const r = await call(sim.url, token, [{ client: 'local_batch', tgt: '*', fun: 'test.ping', batch: '1' }]);
    assert.deepEqual(r.body.return, [{ web01: true }, { web02: true }]);
    const subset = await run({ client: 'local_subset', tgt: '*', fun: 'test.ping', subset: 1 });
    assert.equal(Object.keys(subset).length, 1);
    const ra = await run({ client: 'runner_async', fun: 'manage.status' });
    assert.equal(ra.tag, `salt/run/${ra.jid}`);
    const wa = await run({ client: 'wheel_async', fun: 'key.list_all' });
    assert.equal(wa.tag, `salt/wheel/${wa.jid}`);
  });

  test('key management like Salt, including reject ignoring accepted keys', async () => {
    const wheel = async (fun: string, kw: Record<string, unknown> = {}) => (await run({ client: 'wheel', fun, ...kw })).data;
    assert.deepEqual((await wheel('key.accept', { match: 'db01' })).return, { minions: ['db01'] });
    assert.deepEqual((await wheel('key.reject', { match: 'db01' })).return, { minions: ['db01'] }, 'no-op without include_accepted');
    assert.equal(sim.fleet.keyState('db01'), 'accepted');
    assert.deepEqual((await wheel('key.reject', { match: 'db01', include_accepted: true })).return, { minions_rejected: ['db01'] });
    assert.deepEqual((await wheel('key.delete', { match: 'db01' })).return, {});
    assert.equal(sim.fleet.keyState('db01'), undefined);
    assert.deepEqual((await wheel('key.accept', { match: 'nosuchminion' })).return, {});
    const bad = await wheel('key.nosuch');
    assert.equal(bad.success, false);
    assert.match(bad.return, /^Exception occurred in wheel key.nosuch: Traceback/);
    sim.fleet.setKey('db01', 'pending');
  });

  test('errors as Salt gives them', async () => {
    assert.deepEqual(await run({ client: 'local', tgt: '*', fun: 'test.nosuchfunction' }),
      { web01: "'test.nosuchfunction' is not available.", web02: "'test.nosuchfunction' is not available." });
    const r = await call(sim.url, token, [{ client: 'runner', fun: 'manage.nosuch' }]);
    assert.equal(r.status, 500);
    assert.deepEqual(r.body, { status: 500, return: 'An unexpected error occurred' });
    const cmd = await run({ client: 'local', tgt: 'web01', fun: 'cmd.run_all', arg: ['echo oops >&2; exit 3'] });
    assert.deepEqual({ ...cmd.web01, pid: 0 }, { pid: 0, retcode: 3, stdout: '', stderr: 'oops' });
  });

  test('packages and sys functions', async () => {
    const pkgs = await run({ client: 'local', tgt: 'web01', fun: 'pkg.list_pkgs' });
    assert.ok(Object.keys(pkgs.web01).length >= 200);
    const funs = await run({ client: 'local', tgt: 'web01', fun: 'sys.list_functions', arg: ['test'] });
    assert.ok(funs.web01.includes('test.ping') && funs.web01.every((f: string) => f.startsWith('test.')));
    const doc = await run({ client: 'local', tgt: 'web01', fun: 'sys.doc', arg: ['test.sleep'] });
    assert.match(doc.web01['test.sleep'], /sleep for a given/);
  });
});

test('a 10k-minion fleet answers key.list_all and cache.grains', async (t) => {
  const sim = await startSimulator({ minions: 10_000 });
  try {
    const token = await login(sim.url);
    for (const chunk of [{ client: 'wheel', fun: 'key.list_all' }, { client: 'runner', fun: 'cache.grains', tgt: '*' }]) {
      const start = performance.now();
      const r = await call(sim.url, token, [chunk]);
      const ms = performance.now() - start;
      t.diagnostic(`${chunk.fun}: ${ms.toFixed(0)} ms`);
      assert.equal(r.status, 200);
      // Timings are figures, not verdicts (bench/ prints them); this test only proves 10k works.
    }
  } finally {
    await sim.close();
  }
});

test('background activity publishes small jobs as the scheduler user', async () => {
  const sim = await startSimulator({ minions: 10, jobDurationMs: 1, history: 0, activityIntervalMs: 10 });
  try {
    // Wait for three ticks, however slow the machine is (bounded so a broken scheduler still fails).
    const deadline = Date.now() + 5000;
    while (sim.master.jobs.all().filter((j) => j.user === 'scheduler').length < 3 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const jobs = sim.master.jobs.all().filter((j) => j.user === 'scheduler');
    assert.ok(jobs.length >= 3, `only ${jobs.length} jobs`);
    assert.ok(jobs.every((j) => j.tgtType === 'list' && j.minions.length >= 1 && j.minions.length <= 5));
  } finally {
    await sim.close();
  }
});
