import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { describeEachEngine, openTestDb } from '../../test/support/db.ts';
import { startSimulator, type Simulator } from '../../sim/server.ts';
import { SaltApiClient } from '../salt/client.ts';
import type { DbHandle } from '../db/types.ts';
import { jobsIndex } from './model.ts';
import { ActiveJobs } from './active.ts';
import { IGNORED_FUNCTIONS, ingestJobs, jobRow, parseActive, summarize, type JobsSalt } from './ingest.ts';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RECORDINGS_DIR } from '../../test/support/recordings.ts';

const DIR = RECORDINGS_DIR;
const recorded = (f: string) => JSON.parse(readFileSync(path.join(DIR, f), 'utf8')).response.body.return[0];

test('jobRow reads a recorded list_jobs entry; parseActive and summarize read the recorded shapes', () => {
  const listed = recorded('runner-jobs.list_jobs.json');
  const row = jobRow('default', '20261124152900930033', listed['20261124152900930033'], new Date(0))!;
  assert.equal(row.function, 'cmd.run');
  assert.deepEqual(row.arguments, ['pwd', { __kwarg__: true, cwd: '/tmp' }]);
  assert.equal(row.target, 'web01');
  assert.equal(row.startTime?.toISOString(), '2026-11-24T15:29:00.930Z');
  // Polling noise is not indexed.
  assert.equal(jobRow('default', '20261124152934100493', listed['20261124152934100493'], new Date(0)), null);
  assert.equal(jobRow('default', 'nope', listed['20261124152900930033'], new Date(0)), null);
  // A list target is joined; a bad StartTime falls back to the jid.
  const odd = jobRow('default', '20261124152900930033', { Function: 'test.ping', Target: ['a', 'b'], StartTime: '??' }, new Date(0))!;
  assert.equal(odd.target, 'a,b');
  assert.equal(odd.startTime?.toISOString(), '2026-11-24T15:29:00.930Z');

  assert.deepEqual([...parseActive(recorded('runner-jobs.active.json'))], [['20261124152927516581', ['web02', 'web01']]]);
  assert.equal(parseActive(recorded('runner-jobs.active-after-kill.json')).size, 0);
  assert.deepEqual(summarize(recorded('runner-jobs.list_job-state.apply.json').Result), { returned: 2, succeeded: 0, failed: 2 });
  assert.deepEqual(summarize(recorded('runner-jobs.list_job-test.ping.json').Result), { returned: 2, succeeded: 2, failed: 0 });
});

describeEachEngine('jobs ingest', (engine) => {
  const NOW = Date.UTC(2026, 10, 24, 16, 0, 0);
  let clock = NOW;
  const now = () => new Date(clock);
  let sim: Simulator;
  let handle: DbHandle;
  let client: SaltApiClient;
  const active = new ActiveJobs();

  before(async () => {
    sim = await startSimulator({ minions: 12, history: 24, jobDurationMs: 5, clock: () => clock, presenceIntervalMs: 0 });
    handle = await openTestDb(engine);
    client = new SaltApiClient({ url: sim.url, username: 'saltdev', password: 'x', eauth: 'auto', sleep: async () => {} });
  });
  after(async () => {
    await client.logout().catch(() => {});
    await sim.close();
    await handle.close();
  });

  const rows = () => handle.db.select().from(jobsIndex).where(eq(jobsIndex.masterId, 'default'));

  test('first tick indexes the cached jobs (not the polling noise), enriches minions and results', async () => {
    await client.runnerCall('manage.up');
    const r = await ingestJobs({ db: handle.db, salt: client, masterId: 'default', now, active, retentionDays: 90, enrichLimit: 100 });
    const all = await rows();
    assert.equal(r.upserted, all.length);
    assert.ok(all.length >= 15, `indexed ${all.length}`);
    assert.ok(all.every((j) => !IGNORED_FUNCTIONS.has(j.function)));
    const ping = all.find((j) => j.function === 'test.ping')!;
    assert.ok(ping.minionCount > 0);
    assert.equal(ping.minions.length, ping.minionCount);
    assert.ok(ping.summaryAt);
    assert.ok(ping.returned! > 0 && ping.returned! <= ping.minionCount && ping.succeeded === ping.returned);
    const highstate = all.find((j) => j.function === 'state.highstate')!;
    assert.ok(highstate.minions.every((m) => m.startsWith('db')));
    assert.ok(!all.some((j) => j.function === 'runner.manage.status'), 'read-only polling calls are left out');
    const runner = all.find((j) => j.function === 'runner.manage.up')!;
    assert.equal(runner.summaryAt, null, 'runner jobs are not looked up');
    assert.equal(r.running, 0);
    assert.ok(active.get('default').at);
  });

  test('a running job is in the active set; killed, it turns complete on the next tick', async () => {
    clock += 60_000;
    const { jid, minions } = await client.localAsync('web*', 'test.sleep', { arg: [3600] });
    assert.ok(minions.length > 0);
    const r = await ingestJobs({ db: handle.db, salt: client, masterId: 'default', now, active, retentionDays: 90 });
    assert.equal(r.running, 1);
    assert.ok(active.isRunning(jid));
    const row = (await rows()).find((j) => j.jid === jid)!;
    assert.deepEqual([...row.minions].sort(), [...minions].sort());
    assert.equal(row.summaryAt, null, 'no summary while running');
    await client.localCall(minions, 'saltutil.kill_job', { arg: [jid] });
    await ingestJobs({ db: handle.db, salt: client, masterId: 'default', now, active, retentionDays: 90 });
    assert.equal(active.isRunning(jid), false);
    const after = (await rows()).find((j) => j.jid === jid)!;
    assert.ok(after.summaryAt, 'looked up once it stopped');
    assert.equal(after.returned, 0, 'a killed job never returns');
  });

  test('rows older than the retention period are pruned', async () => {
    const before = (await rows()).length;
    clock = NOW + 86_400_000 - 30 * 60_000; // the seeded hour is now just over a day old
    const r = await ingestJobs({ db: handle.db, salt: client, masterId: 'default', now, active, retentionDays: 1 });
    assert.ok(r.pruned > 0 && r.pruned < before, `pruned ${r.pruned} of ${before}`);
    const cutoff = clock - 86_400_000;
    assert.ok((await rows()).every((j) => j.startTime.getTime() >= cutoff));
    clock = NOW;
  });
});

describeEachEngine('jobs ingest window', (engine) => {
  let handle: DbHandle;
  before(async () => {
    handle = await openTestDb(engine);
  });
  after(() => handle.close());

  test('asks for 24 h the first time, then from the newest start time minus the overlap', async () => {
    const calls: { fun: string; kwarg?: Record<string, unknown> }[] = [];
    const listed: Record<string, unknown> = {
      '20261124152833710187': { Function: 'test.ping', Arguments: [], Target: 'web01', 'Target-type': 'glob', User: 'saltdev', StartTime: '2026, Nov 24 15:28:33.710187' },
    };
    const salt: JobsSalt = {
      async runnerCall(fun, kwarg) {
        calls.push({ fun, kwarg });
        if (fun === 'jobs.list_jobs') return listed;
        if (fun === 'jobs.list_job') return { Minions: ['web01'], Result: { web01: { return: true, retcode: 0, success: true } } };
        return {};
      },
    };
    const now = () => new Date('2026-11-24T16:00:00Z');
    await ingestJobs({ db: handle.db, salt, masterId: 'default', now, retentionDays: 0, active: new ActiveJobs() });
    assert.deepEqual(calls.find((c) => c.fun === 'jobs.list_jobs')!.kwarg, { start_time: '2026-11-23 16:00:00' });
    calls.length = 0;
    await ingestJobs({ db: handle.db, salt, masterId: 'default', now, retentionDays: 0, active: new ActiveJobs(), overlapMs: 60_000 });
    assert.deepEqual(calls.find((c) => c.fun === 'jobs.list_jobs')!.kwarg, { start_time: '2026-11-24 15:27:33' });
    assert.equal(calls.filter((c) => c.fun === 'jobs.list_job').length, 0, 'already summarised');
    const [row] = await handle.db.select().from(jobsIndex);
    assert.deepEqual([row.returned, row.succeeded, row.failed, row.minions], [1, 1, 0, ['web01']]);
  });
});
