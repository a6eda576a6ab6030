import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine, openTestDb } from '../../test/support/db.ts';
import type { DbHandle } from '../db/types.ts';
import { jobsIndex, type NewJobRow } from './model.ts';
import { ActiveJobs } from './active.ts';
import { functionPattern, listJobs, recentJobsForMinion } from './service.ts';
import { JobQuery } from './schemas.ts';

function row(jid: string, over: Partial<NewJobRow> = {}): NewJobRow {
  return {
    jid,
    function: 'test.ping',
    target: '*',
    targetType: 'glob',
    user: 'saltdev',
    startTime: new Date(Date.UTC(2026, 10, 24, 15, 0, Number(jid.slice(-2)))),
    minions: ['web01', 'web02'],
    minionCount: 2,
    ...over,
  };
}

test('functionPattern: a trailing dot or star is a prefix', () => {
  assert.deepEqual(functionPattern('state.'), { prefix: 'state.' });
  assert.deepEqual(functionPattern('test.*'), { prefix: 'test.' });
  assert.deepEqual(functionPattern('state.apply'), { exact: 'state.apply' });
});

describeEachEngine('jobs service', (engine) => {
  let h: DbHandle;
  const active = new ActiveJobs();
  before(async () => {
    h = await openTestDb(engine);
    await h.db.insert(jobsIndex).values([
      row('20261124150000000001'),
      row('20261124150000000002', { function: 'state.apply', minions: ['web01'], minionCount: 1, returned: 1, succeeded: 0, failed: 1, summaryAt: new Date() }),
      row('20261124150000000003', { function: 'state.highstate', user: 'root', minions: ['db01'], minionCount: 1 }),
      row('20261124150000000004', { function: 'state_x.apply', minions: [] }),
      row('20261124150000000005', { masterId: 'other', minions: ['web01'] }),
    ]);
    active.set('default', new Map([['20261124150000000003', ['db01']]]), new Date('2026-11-24T15:00:10Z'));
  });
  after(() => h.close());

  test('recentJobsForMinion: newest first, only jobs that targeted the minion, on this master', async () => {
    const jobs = await recentJobsForMinion(h.db, 'web01', 10, { active });
    assert.deepEqual(jobs.map((j) => j.jid), ['20261124150000000002', '20261124150000000001']);
    assert.deepEqual(jobs[0].result, { returned: 1, succeeded: 0, failed: 1 });
    assert.equal(jobs[1].result, null);
    assert.equal((await recentJobsForMinion(h.db, 'web01', 1, { active })).length, 1);
    assert.deepEqual(await recentJobsForMinion(h.db, 'nosuch', 10, { active }), []);
  });

  test('listJobs: prefix filters escape LIKE wildcards; status comes from the running set', async () => {
    const q = (o: Record<string, string>) => JobQuery.parse(o);
    const state = await listJobs(h.db, q({ function: 'state.' }), { active });
    assert.deepEqual(state.data.map((j) => j.jid).sort(), ['20261124150000000002', '20261124150000000003']);
    assert.equal(state.total, 2);
    const running = await listJobs(h.db, q({ status: 'running' }), { active });
    assert.deepEqual(running.data.map((j) => [j.jid, j.status]), [['20261124150000000003', 'running']]);
    const complete = await listJobs(h.db, q({ status: 'complete' }), { active });
    assert.equal(complete.total, 3);
    assert.ok(complete.data.every((j) => j.status === 'complete'));
    assert.equal((await listJobs(h.db, q({ user: 'root' }), { active })).total, 1);
    assert.equal((await listJobs(h.db, q({ minion: 'db01' }), { active })).total, 1);
    const paged = await listJobs(h.db, q({ limit: '2', offset: '1' }), { active });
    assert.deepEqual(paged.data.map((j) => j.jid), ['20261124150000000003', '20261124150000000002']);
    assert.equal(paged.total, 4);
    const window = await listJobs(h.db, q({ from: '2026-11-24T15:00:02Z', to: '2026-11-24T15:00:03Z' }), { active });
    assert.equal(window.total, 2);
    assert.equal((await listJobs(h.db, q({}), { active: new ActiveJobs() })).data.filter((j) => j.status === 'running').length, 0);
  });
});
