/** @module Fleet routes on the simulator's fleet: both faces, filters, the SVG trend, 422 and 403. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine } from '../../test/support/db.ts';
import { useTestApp } from '../../test/support/app.ts';
import { signInAdmin, userWithRoles, type TestSession } from '../../test/support/auth.ts';
import { startSimulator, type Simulator } from '../../sim/server.ts';
import { SaltApiClient } from '../salt/client.ts';
import { ingestMinions } from '../minions/ingest.ts';
import { ingestJobs } from '../jobs/ingest.ts';
import { ActiveJobs } from '../jobs/active.ts';
import { ErrorBody } from '../http/problem.ts';
import { ingestFleet } from './ingest.ts';
import { FleetHealth } from './schemas.ts';

const HX = { 'HX-Request': 'true' };
const EVIL = 'evil<b>"x';

describeEachEngine('fleet routes', (engine) => {
  const DAY1 = Date.parse('2026-11-24T09:00:00Z');
  let clock = DAY1;
  const now = () => new Date(clock);
  let sim: Simulator;
  let client: SaltApiClient;
  const ctx = useTestApp(engine, { deps: { now } });
  let admin: TestSession;
  let viewer: TestSession;

  async function run(tgt: string[], sls: string): Promise<void> {
    clock += 1000;
    const { jid } = await client.localAsync(tgt, 'state.apply', { arg: [sls] });
    for (let i = 0; i < 500 && (sim.master.jobs.get(jid)?.running.size ?? 1) > 0; i++) await new Promise((r) => setTimeout(r, 5));
  }

  before(async () => {
    sim = await startSimulator({ minions: 10, clock: () => clock, presenceIntervalMs: 0, jobDurationMs: 2, history: 0 });
    sim.fleet.addMinion(EVIL, 'accepted');
    sim.fleet.setPresence(EVIL, true);
    client = new SaltApiClient({ url: sim.url, username: 'saltdev', password: 'x', eauth: 'auto', sleep: async () => {} });
    const { db } = ctx().handle;
    const tick = async () => {
      await ingestJobs({ db, salt: client, masterId: 'default', now, active: new ActiveJobs(), retentionDays: 0 });
      await ingestFleet({ db, salt: client, masterId: 'default', now });
    };
    await ingestMinions({ db, salt: client, masterId: 'default', now });
    const [a, b] = sim.fleet.present(clock).filter((id) => id !== EVIL);
    await run([a, EVIL], 'demo');
    await tick(); // day 1
    clock = Date.parse('2026-11-25T09:00:00Z');
    await run([b], 'broken');
    await tick(); // day 2
    admin = await signInAdmin(ctx().app);
    viewer = await userWithRoles(ctx().app, db, 'vic', ['viewer']);
  });
  after(async () => {
    await client.logout().catch(() => {});
    await sim.close();
  });

  const get = (path: string, headers: Record<string, string> = {}) => ctx().app.request(path, { headers: { ...admin.get, ...headers } });

  test('GET /api/fleet/health: counts, rows, top failing states and the two stored days', async () => {
    const res = await get('/api/fleet/health?limit=500');
    assert.equal(res.status, 200);
    const r = FleetHealth.parse(await res.json());
    assert.equal(r.counts.total, sim.fleet.accepted().length);
    assert.equal(r.counts.unhealthy, 2);
    assert.equal(r.counts.blocked, 1);
    assert.equal(r.counts.unknown, r.counts.total - 3);
    assert.deepEqual(r.top_failing, [{ state_id: 'demo_fail', minions: 2 }]);
    assert.deepEqual(r.trend.map((d) => d.day), ['2026-11-24', '2026-11-25']);
    assert.equal(r.trend[0].unhealthy, 2);
    assert.equal(r.trend[0].blocked, 0);
    assert.equal(r.trend[1].blocked, 1);
    const evil = r.data.find((m) => m.minion_id === EVIL)!;
    assert.equal(evil.status, 'unhealthy');
    assert.deepEqual(evil.failing_states, ['demo_fail']);
  });

  test('filters: status, minion text, failing state; paging', async () => {
    const blocked = FleetHealth.parse(await (await get('/api/fleet/health?status=blocked')).json());
    assert.equal(blocked.total, 1);
    assert.match(blocked.data[0].errors[0], /broken/);
    const byText = FleetHealth.parse(await (await get(`/api/fleet/health?q=${encodeURIComponent('<b>')}`)).json());
    assert.deepEqual(byText.data.map((m) => m.minion_id), [EVIL]);
    const byState = FleetHealth.parse(await (await get('/api/fleet/health?state=demo_fail')).json());
    assert.equal(byState.total, 2);
    const page2 = FleetHealth.parse(await (await get('/api/fleet/health?limit=3&offset=3')).json());
    assert.equal(page2.data.length, 3);
    assert.equal(page2.offset, 3);
  });

  test('the fragment escapes minion ids and error text', async () => {
    const res = await get('/api/fleet/health?status=unhealthy', HX);
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /evil&lt;b>&#34;x/);
    assert.doesNotMatch(html, /<b>"/, 'the quote is escaped everywhere, attributes included');
    assert.doesNotMatch(html, />evil<b>/, 'no live markup in text');
    assert.match(html, /demo_fail/);
  });

  test('the Fleet page draws the trend as SVG: one bar per stored day, empty days left blank', async () => {
    const res = await get('/fleet', { Accept: 'text/html' });
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /<svg[^>]*aria-label="Minions by health status per day"/);
    assert.equal((html.match(/<g data-day="/g) ?? []).length, 30);
    const total = sim.fleet.accepted().length;
    assert.match(html, new RegExp(`<g data-day="2026-11-25" data-total="${total}">`));
    assert.match(html, /<g data-day="2026-11-20">/, 'no snapshot that day');
    assert.match(html, /<title>2026-11-25: 2 unhealthy, 1 blocked/);
  });

  test('422 on a bad query, 403 for a viewer', async () => {
    const bad = await get('/api/fleet/health?limit=501&status=sick');
    assert.equal(bad.status, 422);
    assert.deepEqual(ErrorBody.parse(await bad.json()).fields?.map((f) => f.field).sort(), ['limit', 'status']);
    for (const path of ['/api/fleet/health', '/fleet']) {
      assert.equal((await ctx().app.request(path, { headers: viewer.get })).status, 403, path);
    }
  });
});
