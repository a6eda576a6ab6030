import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine, openTestDb } from '../../test/support/db.ts';
import type { DbHandle } from '../db/types.ts';
import { ActiveJobs } from './active.ts';
import { getJobDetail, killJob, listJobsLive, LIVE_CAP, type LiveSalt } from './live.ts';
import { JobQuery } from './schemas.ts';

/** 600 jobs, one a second from 2026-11-24 10:00:00, plus Salt's own bookkeeping. */
function manyJobs(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < 600; i++) {
    const t = new Date(Date.UTC(2026, 10, 24, 10, 0, i));
    const jid = t.toISOString().replace(/\D/g, '').slice(0, 14) + String(i).padStart(6, '0');
    out[jid] = { Function: i % 2 ? 'test.ping' : 'state.apply', Arguments: [], Target: '*', 'Target-type': 'glob', User: i % 3 ? 'saltdev' : 'root', StartTime: '' };
  }
  out['20261124120000000000'] = { Function: 'saltutil.find_job', Arguments: [], Target: '*', 'Target-type': 'glob', User: 'root', StartTime: '2026, Nov 24 12:00:00.000000' };
  return out;
}

function fakeSalt(over: Partial<Record<string, (kwarg?: Record<string, unknown>, arg?: unknown[]) => unknown>> = {}) {
  const calls: { fun: string; kwarg?: Record<string, unknown>; arg?: unknown[]; tgt?: unknown }[] = [];
  const salt: LiveSalt = {
    async runnerCall(fun, kwarg, arg) {
      calls.push({ fun, kwarg, arg });
      const f = over[fun];
      return f ? f(kwarg, arg) : {};
    },
    async localCall(tgt, fun, o) {
      calls.push({ fun, tgt, arg: o?.arg });
      return Object.fromEntries((tgt as string[]).map((m) => [m, `Signal 9 sent to job ${String(o?.arg?.[0])} at pid 1`]));
    },
  };
  return { salt, calls };
}

describeEachEngine('jobs live', (engine) => {
  let h: DbHandle;
  before(async () => {
    h = await openTestDb(engine);
  });
  after(() => h.close());

  test('the live list is capped at 500 (the newest), paginated inside the cap, noise dropped', async () => {
    const { salt, calls } = fakeSalt({ 'jobs.list_jobs': () => manyJobs() });
    const page = await listJobsLive(salt, JobQuery.parse({ live: 'true', limit: '500' }), { db: h.db, active: new ActiveJobs() });
    assert.equal(LIVE_CAP, 500);
    assert.equal(page.capped, true);
    assert.equal(page.total, 500);
    assert.equal(page.data.length, 500);
    assert.ok(page.data.every((j) => j.function !== 'saltutil.find_job'));
    assert.equal(page.data[0].start_time, '2026-11-24T10:09:59.000Z', 'newest first (StartTime empty: the jid decides)');
    assert.equal(page.data[499].start_time, '2026-11-24T10:01:40.000Z');
    const tail = await listJobsLive(salt, JobQuery.parse({ live: 'true', limit: '50', offset: '480' }), { db: h.db, active: new ActiveJobs() });
    assert.equal(tail.data.length, 20);
    const small = await listJobsLive(salt, JobQuery.parse({ live: 'true', user: 'root', function: 'state.', from: '2026-11-24T09:00' }), { db: h.db, active: new ActiveJobs() });
    assert.equal(small.capped, false);
    assert.ok(small.data.every((j) => j.user === 'root'));
    assert.deepEqual(calls.at(-1)!.kwarg, { search_function: 'state.*', start_time: '2026-11-24 09:00:00' });
  });

  test('detail: pending minions, running status from the active set, raw for non-state jobs', async () => {
    const jid = '20261124152927516581';
    const { salt } = fakeSalt({
      'jobs.list_job': () => ({
        jid, Function: 'test.sleep', Arguments: [30], Target: '*', 'Target-type': 'glob', User: 'saltdev',
        Minions: ['web01', 'web02', 'db01'], StartTime: '2026, Nov 24 15:29:27.516581',
        Result: { web02: { return: true, retcode: 0, success: true }, db01: { return: 'boom', retcode: 1, success: false } },
      }),
    });
    const active = new ActiveJobs();
    active.set('default', new Map([[jid, ['web01']]]), new Date());
    const d = (await getJobDetail(salt, jid, { db: h.db, active }))!;
    assert.equal(d.job.status, 'running');
    assert.equal(d.job.result, null);
    assert.equal(d.is_state, false);
    assert.equal(d.counts, null);
    assert.deepEqual(d.minions.map((m) => [m.minion, m.status, m.success]), [
      ['db01', 'returned', false],
      ['web02', 'returned', true],
      ['web01', 'pending', null],
    ]);
    const done = (await getJobDetail(salt, jid, { db: h.db, active: new ActiveJobs() }))!;
    assert.equal(done.job.status, 'running', 'before any poll, missing returns mean running');
    const polled = new ActiveJobs();
    polled.set('default', new Map(), new Date());
    assert.deepEqual((await getJobDetail(salt, jid, { db: h.db, active: polled }))!.job.result, { returned: 2, succeeded: 1, failed: 1 });
    const { salt: none } = fakeSalt({ 'jobs.list_job': () => ({ jid, Error: 'Cannot contact returner or no job with this jid', Result: {} }) });
    assert.equal(await getJobDetail(none, jid, { db: h.db, active }), null);
  });

  test('kill targets the minions still running the job, else the ones it targeted', async () => {
    const jid = '20261124152927516581';
    const { salt, calls } = fakeSalt({ 'jobs.list_job': () => ({ jid, Function: 'test.sleep', Minions: ['web01', 'web02'], Result: {} }) });
    const active = new ActiveJobs();
    active.set('default', new Map([[jid, ['web02']]]), new Date());
    const k = (await killJob(salt, jid, { db: h.db, active }))!;
    assert.deepEqual(k.minions, ['web02']);
    assert.deepEqual(calls.at(-1), { fun: 'saltutil.kill_job', tgt: ['web02'], arg: [jid] });
    const k2 = (await killJob(salt, jid, { db: h.db, active: new ActiveJobs() }))!;
    assert.deepEqual(k2.minions, ['web01', 'web02']);
    const { salt: none } = fakeSalt({ 'jobs.list_job': () => ({ jid, Error: 'no job', Result: {} }) });
    assert.equal(await killJob(none, jid, { db: h.db, active: new ActiveJobs() }), null);
  });
});
