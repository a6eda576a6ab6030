/** @module Fleet health: the run reading on recorded shapes, and the tick on the simulator's fleet (jobs index → lookup_jid → fleet_health, daily counts). */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { describeEachEngine, openTestDb } from '../../test/support/db.ts';
import { startSimulator, type Simulator } from '../../sim/server.ts';
import { SaltApiClient } from '../salt/client.ts';
import type { DbHandle } from '../db/types.ts';
import { ingestMinions } from '../minions/ingest.ts';
import { ingestJobs } from '../jobs/ingest.ts';
import { ActiveJobs } from '../jobs/active.ts';
import { minionReturns } from '../jobs/state-results.ts';
import { healthOfReturn, isTestRun } from './health.ts';
import { ingestFleet, type FleetSalt } from './ingest.ts';
import { fleetDaily, fleetHealth, fleetStateJobs } from './model.ts';
import { fleetCounts, fleetHealthReport, staleAfterMs } from './service.ts';
import { RECORDINGS_DIR } from '../../test/support/recordings.ts';
import { updateSettings } from '../settings/service.ts';

const DIR = RECORDINGS_DIR;
const recorded = (f: string) => JSON.parse(readFileSync(path.join(DIR, f), 'utf8')).response.body.return[0];

test('a run’s health from the recorded returns: failing state, render error, test mode', () => {
  const web01 = minionReturns(recorded('runner-jobs.lookup_jid-state.apply.json')).web01;
  const h = healthOfReturn(web01)!;
  assert.equal(h.outcome, 'unhealthy');
  assert.deepEqual(h.failingStates, ['demo_fail']);
  assert.equal(h.failed, 1);
  const missing = healthOfReturn(recorded('local-state.apply-missing-sls.json').web01)!;
  assert.equal(missing.outcome, 'blocked');
  assert.deepEqual(missing.errors, ["No matching sls found for 'nosuchsls' in env 'base'"]);
  assert.equal(healthOfReturn("'state.apply' is not available.")!.outcome, 'blocked');
  assert.equal(healthOfReturn({}), null);
  assert.equal(isTestRun(['demo', { __kwarg__: true, test: true }]), true);
  assert.equal(isTestRun(['demo', 'test=True']), true);
  assert.equal(isTestRun(['demo']), false);
});

describeEachEngine('fleet ingest', (engine) => {
  const NOW = Date.parse('2026-11-25T10:00:00Z');
  let clock = NOW;
  const now = () => new Date(clock);
  let sim: Simulator;
  let handle: DbHandle;
  let client: SaltApiClient;
  let lookups: string[] = [];
  const salt: FleetSalt = { lookupJid: (jid) => { lookups.push(jid); return client.lookupJid(jid); } };
  const active = new ActiveJobs();
  let ids: string[];

  before(async () => {
    sim = await startSimulator({ minions: 24, clock: () => clock, presenceIntervalMs: 0, jobDurationMs: 2, history: 24 });
    handle = await openTestDb(engine);
    client = new SaltApiClient({ url: sim.url, username: 'saltdev', password: 'x', eauth: 'auto', sleep: async () => {} });
    await ingestMinions({ db: handle.db, salt: client, masterId: 'default', now });
    ids = sim.fleet.present(clock);
  });
  after(async () => {
    await client.logout().catch(() => {});
    await sim.close();
    await handle.close();
  });

  /** Publishes a state job and waits (a few ms) until every targeted minion returned. */
  async function run(tgt: string[], sls: string, kwarg?: Record<string, unknown>): Promise<string> {
    clock += 1000;
    const { jid } = await client.localAsync(tgt, 'state.apply', { arg: [sls], ...(kwarg ? { kwarg } : {}) });
    for (let i = 0; i < 500 && (sim.master.jobs.get(jid)?.running.size ?? 1) > 0; i++) await new Promise((r) => setTimeout(r, 5));
    return jid;
  }
  const jobsTick = () => ingestJobs({ db: handle.db, salt: client, masterId: 'default', now, active, retentionDays: 0 });
  const health = async (id: string) =>
    (await handle.db.select().from(fleetHealth).where(and(eq(fleetHealth.masterId, 'default'), eq(fleetHealth.minionId, id))))[0];

  test('the seeded history: state runs read once each, test runs skipped, every return kept', async () => {
    await jobsTick();
    lookups = [];
    const r = await ingestFleet({ db: handle.db, salt, masterId: 'default', now });
    assert.ok(r.lookedUp >= 2, 'state.apply common and state.highstate from the history');
    assert.ok(r.skippedTestRuns >= 1, 'the state.apply nginx test=True run');
    assert.equal(new Set(lookups).size, lookups.length);
    const rows = await handle.db.select().from(fleetHealth);
    assert.ok(rows.length > 0);
    // Each stored row says what the simulator returned for that minion in that job.
    for (const row of rows) {
      const ret = sim.master.jobs.get(row.jid)!.returns.get(row.minionId)!.return as Record<string, { result: boolean; changes: object }>;
      const results = Object.values(ret);
      const expected = results.some((x) => x.result === false) ? 'unhealthy' : results.some((x) => Object.keys(x.changes).length > 0) ? 'changed' : 'healthy';
      assert.equal(row.outcome, expected, row.minionId);
    }
    const again = await ingestFleet({ db: handle.db, salt, masterId: 'default', now });
    assert.equal(again.lookedUp, 0, 'finished jobs are not looked up again');
  });

  test('live runs: failing state → unhealthy, render error → blocked, a clean rerun → healthy; the newest run wins', async () => {
    const [a, b, c] = ids;
    await run([a, b, c], 'common');
    await run([a], 'demo');
    await run([b], 'broken');
    await run([c], 'common');
    await jobsTick();
    await ingestFleet({ db: handle.db, salt, masterId: 'default', now });
    const ha = await health(a);
    assert.equal(ha.outcome, 'unhealthy');
    assert.deepEqual(ha.failingStates, ['demo_fail']);
    const hb = await health(b);
    assert.equal(hb.outcome, 'blocked');
    assert.match(hb.errors[0], /Rendering SLS 'base:broken' failed/);
    const hc = await health(c);
    const failsForGood = Object.values(sim.master.jobs.get(hc.jid)!.returns.get(c)!.return as Record<string, { result: boolean }>).some((x) => x.result === false);
    assert.equal(hc.outcome, failsForGood ? 'unhealthy' : 'healthy', 'the second run of common has no changes');
    assert.equal(hc.function, 'state.apply');
  });

  test('an older run read late does not replace a newer one', async () => {
    const [a] = ids;
    const newer = await health(a);
    const older = new Date(newer.runAt.getTime() - 60_000);
    const fake: FleetSalt = { lookupJid: async () => ({ [a]: ['late render error'] }) };
    await handle.db.insert(fleetStateJobs).values({ masterId: 'default', jid: '20261125095800000000', startTime: older, complete: false, lookedUpAt: now() })
      .onConflictDoNothing();
    const { jobsIndex } = await import('../jobs/model.ts');
    await handle.db.insert(jobsIndex).values({ masterId: 'default', jid: '20261125095800000000', function: 'state.apply', startTime: older });
    const r = await ingestFleet({ db: handle.db, salt: fake, masterId: 'default', now });
    assert.equal(r.lookedUp, 1);
    assert.equal((await health(a)).jid, newer.jid);
  });

  test('counts, filters, top failing states and the daily snapshot; stale after two days, unknown when never run', async () => {
    const report = await fleetHealthReport(handle.db, 'default', { limit: 500, offset: 0 }, now(), 2 * 86_400_000);
    const accepted = sim.fleet.accepted().length;
    assert.equal(report.counts.total, accepted);
    assert.equal(report.total, accepted);
    const byStatus = (s: string) => report.data.filter((m) => m.status === s).length;
    for (const s of ['healthy', 'changed', 'unhealthy', 'blocked', 'unknown'] as const) assert.equal(report.counts[s], byStatus(s), s);
    assert.ok(report.counts.unknown > 0, 'minions never targeted by a state run');
    assert.equal(report.top_failing[0]?.state_id !== undefined, true);
    const demo = report.top_failing.find((f) => f.state_id === 'demo_fail');
    assert.equal(demo?.minions, 1);
    const onlyBlocked = await fleetHealthReport(handle.db, 'default', { status: 'blocked', limit: 50, offset: 0 }, now(), 2 * 86_400_000);
    assert.deepEqual(onlyBlocked.data.map((m) => m.minion_id), [ids[1]]);
    const byState = await fleetHealthReport(handle.db, 'default', { state: 'demo_fail', limit: 50, offset: 0 }, now(), 2 * 86_400_000);
    assert.deepEqual(byState.data.map((m) => m.minion_id), [ids[0]]);
    const byText = await fleetHealthReport(handle.db, 'default', { q: ids[2].slice(-3), limit: 50, offset: 0 }, now(), 2 * 86_400_000);
    assert.ok(byText.data.some((m) => m.minion_id === ids[2]));

    const [day] = await handle.db.select().from(fleetDaily).where(eq(fleetDaily.day, '2026-11-25'));
    const counts = await fleetCounts(handle.db, 'default', now(), 2 * 86_400_000);
    assert.deepEqual(
      { healthy: day.healthy, changed: day.changed, unhealthy: day.unhealthy, blocked: day.blocked, stale: day.stale, unknown: day.unknown },
      { healthy: counts.healthy, changed: counts.changed, unhealthy: counts.unhealthy, blocked: counts.blocked, stale: counts.stale, unknown: counts.unknown },
    );
    assert.deepEqual(report.trend.map((t) => t.day), ['2026-11-25']);

    // Three days on, nothing ran: every run is stale; a new day row joins the trend.
    clock += 3 * 86_400_000;
    await ingestFleet({ db: handle.db, salt, masterId: 'default', now });
    const later = await fleetHealthReport(handle.db, 'default', { limit: 1, offset: 0 }, now(), 2 * 86_400_000);
    assert.equal(later.counts.stale, counts.healthy + counts.changed + counts.unhealthy + counts.blocked);
    assert.equal(later.counts.unknown, counts.unknown);
    assert.deepEqual(later.trend.map((t) => t.day), ['2026-11-25', '2026-11-28']);
    assert.deepEqual(later.top_failing, [], 'stale failures are not counted');

    // The stale period is a setting: at five days, three-day-old runs count again.
    assert.equal(await staleAfterMs(handle.db), 2 * 86_400_000, 'two days by default');
    await updateSettings(handle.db, 'test-secret-key-0123456789abcdef0123456789', { fleet_stale_after_days: 5 }, 'test');
    const fiveDays = await staleAfterMs(handle.db);
    assert.equal(fiveDays, 5 * 86_400_000);
    const relaxed = await fleetHealthReport(handle.db, 'default', { limit: 1, offset: 0 }, now(), fiveDays);
    assert.equal(relaxed.counts.stale, 0);
    await updateSettings(handle.db, 'test-secret-key-0123456789abcdef0123456789', { fleet_stale_after_days: 2 }, 'test');
    clock -= 3 * 86_400_000;
  });

  test('a minion whose key left the fleet loses its health row', async () => {
    const [a] = ids;
    assert.ok(await health(a));
    sim.fleet.setKey(a, undefined);
    await ingestMinions({ db: handle.db, salt: client, masterId: 'default', now });
    await ingestFleet({ db: handle.db, salt, masterId: 'default', now });
    assert.equal(await health(a), undefined);
  });
});
