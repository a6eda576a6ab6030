import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine, openTestDb } from '../../test/support/db.ts';
import type { DbHandle } from '../db/types.ts';
import { jobsIndex, type NewJobRow } from './model.ts';
import { ActiveJobs } from './active.ts';
import { jobActivity, jobTimeline } from './activity.ts';

const NOW = new Date('2026-11-24T16:30:00Z');

function row(jid: string, at: string, over: Partial<NewJobRow> = {}): NewJobRow {
  return { jid, function: 'test.ping', startTime: new Date(at), ...over };
}

describeEachEngine('jobs activity', (engine) => {
  let h: DbHandle;
  const active = new ActiveJobs();
  before(async () => {
    h = await openTestDb(engine);
    const done = { returned: 2, succeeded: 2, failed: 0, summaryAt: NOW };
    await h.db.insert(jobsIndex).values([
      row('20261124160000000001', '2026-11-24T16:00:00Z', done),
      row('20261124161000000002', '2026-11-24T16:10:00Z', { ...done, succeeded: 1, failed: 1, function: 'state.apply' }),
      row('20261124162000000003', '2026-11-24T16:20:00Z'),
      row('20261124162500000004', '2026-11-24T16:25:00Z'),
      row('20261123090000000005', '2026-11-23T09:00:00Z', done),
      row('20261110090000000006', '2026-11-10T09:00:00Z', done), // older than 7 days
      row('20261124160500000007', '2026-11-24T16:05:00Z', { ...done, masterId: 'other' }),
    ]);
    active.set('default', new Map([['20261124162500000004', ['web01']], ['20261124000000000099', []]]), NOW);
  });
  after(() => h.close());

  test('hourly and daily counts by outcome over 7 days, running from the active set', async () => {
    const a = await jobActivity(h.db, NOW, { active });
    assert.equal(a.hours.length, 168);
    assert.equal(a.to, '2026-11-24T17:00:00.000Z');
    const last = a.hours.at(-1)!;
    assert.equal(last.start, '2026-11-24T16:00:00.000Z');
    assert.deepEqual([last.succeeded, last.failed, last.unknown, last.running], [1, 1, 1, 1]);
    const nine = a.hours.find((b) => b.start === '2026-11-23T09:00:00.000Z')!;
    assert.equal(nine.succeeded, 1);
    const total = a.hours.reduce((n, b) => n + b.succeeded + b.failed + b.unknown + b.running, 0);
    assert.equal(total, 5, 'older jobs and other masters are left out');
    assert.equal(a.days.at(-1)!.start, '2026-11-24T00:00:00.000Z');
    assert.equal(a.days.reduce((n, b) => n + b.succeeded + b.failed + b.unknown + b.running, 0), 5);
    // Without running jobs the same query works (an empty IN list).
    const idle = await jobActivity(h.db, NOW, { active: new ActiveJobs() });
    assert.equal(idle.hours.at(-1)!.running, 0);
    assert.equal(idle.hours.at(-1)!.unknown, 2);
  });

  test('timeline: a window, oldest first, truncated to the newest', async () => {
    const t = await jobTimeline(h.db, { from: new Date('2026-11-24T16:00:00Z'), to: new Date('2026-11-24T16:30:00Z'), limit: 10 }, { active });
    assert.deepEqual(t.jobs.map((j) => [j.jid.slice(-1), j.outcome]), [['1', 'succeeded'], ['2', 'failed'], ['3', 'unknown'], ['4', 'running']]);
    assert.equal(t.truncated, false);
    const cut = await jobTimeline(h.db, { from: new Date('2026-11-24T16:00:00Z'), to: new Date('2026-11-24T16:30:00Z'), limit: 2 }, { active });
    assert.deepEqual(cut.jobs.map((j) => j.jid.slice(-1)), ['3', '4']);
    assert.equal(cut.truncated, true);
  });
});
