/** @module The minion routes, both faces, filters, exports, staleness and permissions, against a polled simulator. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine } from '../../test/support/db.ts';
import { useTestApp } from '../../test/support/app.ts';
import { signInAdmin, userWithRoles, type TestSession } from '../../test/support/auth.ts';
import { startSimulator, type Simulator } from '../../sim/server.ts';
import { SaltApiClient } from '../salt/client.ts';
import type { Runtime } from '../runtime-types.ts';
import { ingestMinions } from './ingest.ts';
import { ingestJobs } from '../jobs/ingest.ts';
import { MinionDetail, MinionPage, Minion } from './schemas.ts';
import { z } from '@hono/zod-openapi';

const T0 = Date.parse('2026-11-25T10:00:00Z');
const EVIL = 'evil<b>"x';

describeEachEngine('minion routes', (engine) => {
  let sim: Simulator;
  let client: SaltApiClient;
  let clock = T0;
  const runtime: Runtime = {
    get salt() {
      return client;
    },
    status: () => ({ state: 'ok', message: null, since: new Date(T0).toISOString(), nextRetryAt: null }),
  };
  const ctx = useTestApp(engine, { deps: { runtime, now: () => new Date(clock) } });
  let admin: TestSession;

  before(async () => {
    sim = await startSimulator({ minions: 40, clock: () => T0, presenceIntervalMs: 0 });
    sim.fleet.addMinion(EVIL, 'pending');
    client = new SaltApiClient({ url: sim.url, username: 'saltdev', password: 'x', eauth: 'auto', sleep: async () => {} });
    await ingestMinions({ db: ctx().handle.db, salt: client, masterId: 'default', now: () => new Date(T0) });
    admin = await signInAdmin(ctx().app);
  });
  after(async () => {
    await client.logout().catch(() => {});
    await sim.close();
  });

  const get = (path: string, headers: Record<string, string> = {}) => ctx().app.request(path, { headers: { ...admin.get, ...headers } });
  const page = async (qs: string) => {
    const res = await get(`/api/minions${qs}`);
    assert.equal(res.status, 200, await res.clone().text());
    return MinionPage.parse(await res.json());
  };
  const keyed = () => sim.fleet.allIds().filter((id) => sim.fleet.keyState(id));

  test('the JSON list: every key, sorted by id, paginated, with the snapshot age', async () => {
    const p = await page('?limit=10');
    assert.equal(p.total, keyed().length);
    assert.equal(p.data.length, 10);
    assert.deepEqual(p.data.map((m) => m.id), [...keyed()].sort().slice(0, 10));
    assert.equal(p.snapshot.stale, false);
    assert.equal(p.snapshot.updated_at, new Date(T0).toISOString());
    const next = await page('?limit=10&offset=10');
    assert.deepEqual(next.data.map((m) => m.id), [...keyed()].sort().slice(10, 20));
    const desc = await page('?limit=3&sort=-id');
    assert.deepEqual(desc.data.map((m) => m.id), [...keyed()].sort().reverse().slice(0, 3));
  });

  test('filters: key status, presence, os, salt version, role and free text', async () => {
    const pending = await page('?key_status=pending&limit=500');
    assert.deepEqual(pending.data.map((m) => m.id).sort(), keyed().filter((id) => sim.fleet.keyState(id) === 'pending').sort());
    const down = await page('?present=false&limit=500');
    assert.ok(down.data.every((m) => !m.present));
    assert.ok(down.total > 0);
    const sample = (await page('?key_status=accepted&present=true&limit=1')).data[0]!;
    const grains = sim.fleet.grains(sample.id);
    const byOs = await page(`?os=${encodeURIComponent(String(grains.os))}&limit=500`);
    assert.ok(byOs.data.length > 0 && byOs.data.every((m) => m.os === grains.os));
    const role = (grains.roles as string[])[0]!;
    const byRole = await page(`?role=${encodeURIComponent(role)}&limit=500`);
    assert.ok(byRole.data.some((m) => m.id === sample.id) && byRole.data.every((m) => m.roles.includes(role)));
    const byVersion = await page(`?saltversion=${encodeURIComponent(String(grains.saltversion))}&limit=500`);
    assert.ok(byVersion.data.every((m) => m.saltversion === grains.saltversion));
    const byIp = await page(`?q=${encodeURIComponent(sample.ip!)}`);
    assert.ok(byIp.data.some((m) => m.id === sample.id));
    const byId = await page(`?q=${encodeURIComponent(sample.id.toUpperCase())}`);
    assert.ok(byId.data.some((m) => m.id === sample.id), 'free text ignores case');
    const byGrain = await page(`?q=${encodeURIComponent(String(grains.machine_id ?? grains.fqdn))}`);
    assert.ok(byGrain.data.some((m) => m.id === sample.id), 'free text reaches grain values');
    assert.equal((await page('?q=%25')).total, 0, 'a % is searched for, not a wildcard');
    // Free text counts in the page's own scan; past the last page it still reports the total.
    const all = await page(`?q=${encodeURIComponent(role)}&limit=500`);
    const beyond = await page(`?q=${encodeURIComponent(role)}&offset=${all.total + 10}`);
    assert.deepEqual([beyond.total, beyond.data.length], [all.total, 0]);
  });

  test('empty form fields (a filter menu left on "any") mean no filter', async () => {
    const p = await page('?q=&key_status=&present=&os=&saltversion=&role=&sort=&limit=');
    assert.equal(p.total, keyed().length);
    assert.equal(p.limit, 50);
  });

  test('invalid filters are 422 with the field and the reason', async () => {
    const res = await get('/api/minions?limit=501&key_status=bogus');
    assert.equal(res.status, 422);
    const body = (await res.json()) as { fields: { field: string; message: string }[] };
    assert.deepEqual(body.fields.map((f) => f.field).sort(), ['key_status', 'limit']);
    assert.match(body.fields.find((f) => f.field === 'limit')!.message, /500/);
  });

  test('the fragment escapes minion data and moves the address bar to the list page', async () => {
    const res = await get('/api/minions?key_status=pending&limit=500', { 'HX-Request': 'true' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('HX-Push-Url'), '/minions?key_status=pending&limit=500');
    const html = await res.text();
    assert.ok(html.includes('id="minion-results"'));
    assert.ok(html.includes('>evil&lt;b>&#34;x</a>'), 'the id is escaped as text');
    assert.ok(!html.includes('<b>"'), 'no raw markup or quote breaks out');
    assert.ok(html.includes('key: pending'), 'the filter chip');
  });

  test('CSV and JSON exports hold every filtered minion', async () => {
    const res = await get('/api/minions?key_status=accepted&format=csv');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('Content-Type')!, /text\/csv/);
    assert.match(res.headers.get('Content-Disposition')!, /attachment; filename="minions-.*\.csv"/);
    const lines = (await res.text()).trimEnd().split('\r\n');
    const accepted = keyed().filter((id) => sim.fleet.keyState(id) === 'accepted');
    assert.equal(lines[0], 'id,key_status,present,ip,os,osrelease,kernel,saltversion,roles,first_seen,last_seen,updated_at');
    assert.equal(lines.length, accepted.length + 1);
    const json = await get('/api/minions?key_status=pending&format=json');
    const rows = z.array(Minion).parse(await json.json());
    assert.ok(rows.some((m) => m.id === EVIL));
    const csv = await (await get('/api/minions?key_status=pending&format=csv')).text();
    assert.ok(csv.includes('"evil<b>""x"'), 'quotes are doubled inside a quoted field');
  });

  test('the detail: all grains, in JSON and as a tree; 404 for an unknown minion', async () => {
    const [id] = keyed().filter((x) => sim.fleet.keyState(x) === 'accepted');
    const res = await get(`/api/minions/${id}`);
    assert.equal(res.status, 200);
    const m = MinionDetail.parse(await res.json());
    assert.deepEqual(m.grains, sim.fleet.grains(id!));
    assert.ok(m.recent_jobs.every((j) => j.minions.includes(id!)));
    const frag = await (await get(`/api/minions/${id}`, { 'HX-Request': 'true' })).text();
    assert.ok(frag.includes('id="minion-grains"') && frag.includes('<details>'));
    assert.equal((await get('/api/minions/nosuchminion')).status, 404);
    // Its recent jobs come from the jobs index (jobs_index keeps the targeted minion ids).
    const { jid } = await client.localAsync(id!, 'test.ping');
    await ingestJobs({ db: ctx().handle.db, salt: client, masterId: 'default', now: () => new Date(T0), enrichLimit: 500 });
    const withJobs = MinionDetail.parse(await (await get(`/api/minions/${id}`)).json());
    assert.ok(withJobs.recent_jobs.some((j) => j.jid === jid && j.function === 'test.ping'), JSON.stringify(withJobs.recent_jobs));
    assert.ok((await (await get(`/api/minions/${id}`, { 'HX-Request': 'true' })).text()).includes(`/jobs/${jid}`));
    const pageRes = await get(`/minions/${encodeURIComponent(EVIL)}`, { Accept: 'text/html' });
    assert.equal(pageRes.status, 200);
    assert.ok(!(await pageRes.text()).includes('<b>"'), 'the title and body escape the id');
  });

  test('the list page: filters, results, and the stale warning after ten minutes', async () => {
    const res = await get('/minions?os=Nope', { Accept: 'text/html' });
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.ok(html.includes('id="minion-filters"') && html.includes('No minion matches.'));
    assert.ok(!html.includes('minion-snapshot-warning'));
    clock = T0 + 11 * 60_000;
    try {
      const stale = await (await get('/minions', { Accept: 'text/html' })).text();
      assert.ok(stale.includes('minion-snapshot-warning') && stale.includes('older than ten minutes'));
      assert.equal((await page('')).snapshot.stale, true);
    } finally {
      clock = T0;
    }
  });

  test('permissions: a viewer reads, a user without the permission gets 403, anonymous 401', async () => {
    const viewer = await userWithRoles(ctx().app, ctx().handle.db, 'vic', ['viewer']);
    assert.equal((await ctx().app.request('/api/minions', { headers: viewer.get })).status, 200);
    const nobody = await userWithRoles(ctx().app, ctx().handle.db, 'nora', []);
    assert.equal((await ctx().app.request('/api/minions', { headers: nobody.get })).status, 403);
    assert.equal((await ctx().app.request('/api/minions/web01', { headers: nobody.get })).status, 403);
    assert.equal((await ctx().app.request('/api/minions')).status, 401);
  });
});
