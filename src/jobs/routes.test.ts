import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { describeEachEngine } from '../../test/support/db.ts';
import { useTestApp } from '../../test/support/app.ts';
import { signInAdmin, userWithRoles, type TestSession } from '../../test/support/auth.ts';
import { startSimulator, type Simulator } from '../../sim/server.ts';
import { SaltApiClient } from '../salt/client.ts';
import type { Runtime } from '../runtime-types.ts';
import { auditLog } from '../auth/model.ts';
import { activeJobs } from './active.ts';
import { ingestJobs } from './ingest.ts';
import { JobActivity, JobDetail, JobPage, JobTimeline, KillResult } from './schemas.ts';
import { ErrorBody } from '../http/problem.ts';

const EVIL = 'evil<b>"x';
const HX = { 'HX-Request': 'true' };
const settle = () => new Promise((r) => setTimeout(r, 60)); // the simulator's minions return after 5 ms

describeEachEngine('job routes', (engine) => {
  let sim: Simulator;
  let client: SaltApiClient;
  let salt: SaltApiClient | null = null;
  const runtime: Runtime = {
    get salt() {
      return salt;
    },
    status: () => ({ state: salt ? 'ok' : 'unconfigured', message: null, since: new Date().toISOString(), nextRetryAt: null }),
  };
  const ctx = useTestApp(engine, { deps: { runtime } });
  let admin: TestSession;
  let viewer: TestSession;
  let stateJid: string;
  let pingJid: string;
  let evilJid: string;
  let brokenJid: string;
  const ingest = () => ingestJobs({ db: ctx().handle.db, salt: client, masterId: 'default', now: () => new Date(), retentionDays: 0 });

  before(async () => {
    sim = await startSimulator({ preset: 'lab', jobDurationMs: 5, presenceIntervalMs: 0 });
    sim.fleet.addMinion(EVIL, 'accepted');
    client = new SaltApiClient({ url: sim.url, username: 'saltdev', password: 'x', eauth: 'auto', sleep: async () => {}, maxRetries: 0 });
    salt = client;
    stateJid = (await client.localAsync('web*', 'state.apply', { arg: ['demo'] })).jid;
    pingJid = (await client.localAsync('*', 'test.ping')).jid;
    evilJid = (await client.localAsync(EVIL, 'test.echo', { arg: ['<script>alert(1)</script>'] })).jid;
    brokenJid = (await client.localAsync('web01', 'state.sls', { arg: ['nosuchsls'] })).jid;
    await settle();
    await ingest();
    admin = await signInAdmin(ctx().app);
    viewer = await userWithRoles(ctx().app, ctx().handle.db, 'vic', ['viewer']);
  });
  after(async () => {
    activeJobs.clear();
    await client.logout().catch(() => {});
    await sim.close();
  });

  const get = (path: string, s: TestSession = admin, headers: Record<string, string> = {}) =>
    ctx().app.request(path, { headers: { ...s.get, ...headers } });
  const post = (path: string, s: TestSession = admin, headers: Record<string, string> = {}) =>
    ctx().app.request(path, { method: 'POST', headers: { ...s.json, ...headers } });

  test('GET /api/jobs: both faces, filters, prefixes, pagination, 422', async () => {
    const res = await get('/api/jobs');
    assert.equal(res.status, 200, await res.clone().text());
    const page = JobPage.parse(await res.json());
    assert.equal(page.live, false);
    assert.equal(page.limit, 50);
    assert.deepEqual(new Set(page.data.map((j) => j.jid)), new Set([stateJid, pingJid, evilJid, brokenJid]));
    const state = JobPage.parse(await (await get('/api/jobs?function=state.apply')).json());
    assert.deepEqual(state.data.map((j) => j.jid), [stateJid]);
    assert.equal(JobPage.parse(await (await get('/api/jobs?function=state.')).json()).total, 2, 'a prefix');
    assert.deepEqual(state.data[0].result, { returned: 2, succeeded: 0, failed: 2 });
    assert.equal(JobPage.parse(await (await get('/api/jobs?function=test.ping&user=saltdev&status=complete')).json()).total, 1);
    assert.equal(JobPage.parse(await (await get('/api/jobs?user=nobody')).json()).total, 0);
    const one = JobPage.parse(await (await get('/api/jobs?limit=1&offset=1')).json());
    assert.equal(one.data.length, 1);
    assert.equal(one.total, 4);

    const frag = await get('/api/jobs?function=test.', admin, HX);
    assert.equal(frag.status, 200);
    const html = await frag.text();
    assert.match(html, /<section id="jobs"/);
    assert.ok(html.includes(`job-${evilJid}`));
    assert.ok(html.includes('evil&lt;b>&#34;x'), 'the target is escaped');
    assert.ok(!html.includes(EVIL));
    assert.ok(!html.includes('<script>alert(1)</script>'), 'arguments are escaped');
    assert.equal(frag.headers.get('HX-Push-Url'), '/jobs?function=test.');

    const bad = await get('/api/jobs?limit=9999&status=bogus&from=yesterday');
    assert.equal(bad.status, 422);
    const err = ErrorBody.parse(await bad.json());
    assert.deepEqual(err.fields!.map((f) => f.field).sort(), ['from', 'limit', 'status']);
  });

  test('GET /api/jobs?live=true reads the master; 503 without Salt, 502 on a salt error', async () => {
    const live = JobPage.parse(await (await get('/api/jobs?live=true&function=state.a*')).json());
    assert.equal(live.live, true);
    assert.deepEqual(live.data.map((j) => j.jid), [stateJid]);
    assert.deepEqual(live.data[0].minions.sort(), ['web01', 'web02'], 'the index fills in the minions');
    sim.faults.failNext(1, 500);
    const failed = await get('/api/jobs?live=true');
    assert.equal(failed.status, 502);
    assert.match(ErrorBody.parse(await failed.json()).message, /salt-api/);
    salt = null;
    try {
      assert.equal((await get('/api/jobs?live=true')).status, 503);
      const frag = await get('/api/jobs?live=true', admin, HX);
      assert.equal(frag.status, 503);
      assert.match(await frag.text(), /not configured/);
      assert.equal((await get('/api/jobs')).status, 200, 'the index still answers');
      assert.equal((await get(`/api/jobs/${stateJid}`)).status, 503);
      // The page falls back to the index and says why live mode is off.
      const pageRes = await get('/jobs?live=true', admin, { Accept: 'text/html' });
      assert.equal(pageRes.status, 200);
      const html = await pageRes.text();
      assert.match(html, /Live jobs are unavailable/);
      assert.match(html, /<section id="jobs" data-live="false"/);
    } finally {
      salt = client;
    }
  });

  test('GET /api/jobs/{jid}: state results, failed minions first, failing states expanded, raw JSON and YAML', async () => {
    const res = await get(`/api/jobs/${stateJid}`);
    assert.equal(res.status, 200, await res.clone().text());
    const d = JobDetail.parse(await res.json());
    assert.equal(d.is_state, true);
    assert.deepEqual(d.counts, { total: 4, pass: 2, fail: 2, changed: 0, would_change: 0 });
    assert.deepEqual(d.minions.map((m) => [m.minion, m.status, m.success, m.retcode]), [
      ['web01', 'returned', false, 2],
      ['web02', 'returned', false, 2],
    ]);
    assert.equal(d.minions[0].parsed?.kind, 'states');

    const html = await (await get(`/api/jobs/${stateJid}`, admin, HX)).text();
    assert.match(html, /id="minion-web01"[^>]*data-failed="true"/);
    const web01 = html.slice(html.indexOf('id="minion-web01"'), html.indexOf('id="minion-web02"'));
    assert.ok(web01.indexOf('data-state-id="demo_fail"') < web01.indexOf('data-state-id="demo_file"'), 'failing state first');
    assert.match(web01, /<details[^>]*class="state state-fail"[^>]*open[^>]*data-state-id="demo_fail"/);
    assert.doesNotMatch(web01, /<details[^>]*open[^>]*data-state-id="demo_file"/);
    assert.match(html, /id="job-raw-json"/);
    assert.match(html, /id="job-raw-yaml"[\s\S]*web01:/);
    assert.doesNotMatch(html, /hx-post="\/api\/jobs\/\d+\/kill"/, 'no Kill button on a complete job');
    assert.doesNotMatch(html, /hx-trigger=/, 'a complete job does not re-poll');

    const ping = JobDetail.parse(await (await get(`/api/jobs/${pingJid}`)).json());
    assert.equal(ping.is_state, false);
    assert.ok(ping.minions.some((m) => m.minion === EVIL && m.return === true));
    const evil = await (await get(`/api/jobs/${evilJid}`, admin, HX)).text();
    assert.ok(!evil.includes('<script>alert(1)</script>') && !evil.includes(`>${EVIL}<`), 'returns and ids are escaped');

    // A missing sls: the render error is shown, and the minion counts as failed.
    const broken = JobDetail.parse(await (await get(`/api/jobs/${brokenJid}`)).json());
    assert.deepEqual(broken.minions[0].parsed, { kind: 'render_error', errors: ["No matching sls found for 'nosuchsls' in env 'base'"] });
    const brokenHtml = await (await get(`/api/jobs/${brokenJid}`, admin, HX)).text();
    assert.match(brokenHtml, /data-failed="true"/);
    assert.match(brokenHtml, /data-render-error="true"[\s\S]*No matching sls found for &#39;nosuchsls&#39;/);

    const unknown = await get('/api/jobs/20000101000000000000');
    assert.equal(unknown.status, 404);
    assert.equal(ErrorBody.parse(await unknown.json()).error, 'not_found');
    const invalid = await get('/api/jobs/abc');
    assert.equal(invalid.status, 422);
    assert.equal(ErrorBody.parse(await invalid.json()).fields![0].field, 'jid');
  });

  test('kill: a viewer is refused; an operator kills, it is audited, the job turns complete on the next poll', async () => {
    const { jid, minions } = await client.localAsync('web*', 'test.sleep', { arg: [3600] });
    await ingest();
    const running = JobPage.parse(await (await get('/api/jobs?status=running')).json());
    assert.deepEqual(running.data.map((j) => [j.jid, j.status]), [[jid, 'running']]);
    const page = await (await get(`/api/jobs/${jid}`, admin, HX)).text();
    assert.match(page, new RegExp(`hx-post="/api/jobs/${jid}/kill"[^>]*hx-confirm="Kill job ${jid} on 2 minions`));
    assert.match(page, new RegExp(`<article[^>]*hx-get="/api/jobs/${jid}"[^>]*hx-trigger="sse:job-changed-${jid} delay:300ms, every 30s"`), 'a running job re-reads itself (on its events, and on a slow timer)');
    const asViewer = await (await get(`/api/jobs/${jid}`, viewer, HX)).text();
    assert.doesNotMatch(asViewer, /\/kill"/, 'a viewer sees no Kill button');

    const refused = await post(`/api/jobs/${jid}/kill`, viewer);
    assert.equal(refused.status, 403);
    assert.equal(activeJobs.isRunning(jid), true);

    const res = await post(`/api/jobs/${jid}/kill`);
    assert.equal(res.status, 202, await res.clone().text());
    const k = KillResult.parse(await res.json());
    assert.deepEqual(k.minions.sort(), [...minions].sort());
    assert.match(String(k.signalled.web01), new RegExp(`Signal 9 sent to job ${jid}`));
    const rows = await ctx().handle.db.select().from(auditLog).where(eq(auditLog.action, 'kill_job'));
    assert.equal(rows.length, 1);
    assert.equal(rows[0].jid, jid);
    assert.equal(rows[0].decision, 'ok');
    assert.equal(rows[0].username, 'admin');

    await ingest();
    const after = JobPage.parse(await (await get(`/api/jobs?status=complete&function=test.sleep`)).json());
    assert.deepEqual(after.data.map((j) => [j.jid, j.status]), [[jid, 'complete']]);

    // The htmx face answers the result fragment; an unknown job is a 404.
    const again = await post(`/api/jobs/${jid}/kill`, admin, HX);
    assert.equal(again.status, 202);
    assert.match(await again.text(), /id="job-kill"[^>]*class="alert alert-ok"/);
    assert.equal((await post('/api/jobs/20000101000000000000/kill')).status, 404);
    assert.equal((await post('/api/jobs/abc/kill')).status, 422);

    // Salt failing: 502, audited as an error with the jid; Salt missing: 503.
    sim.faults.failNext(1, 500);
    const broken = await post(`/api/jobs/${jid}/kill`);
    assert.equal(broken.status, 502);
    const errors = await ctx().handle.db.select().from(auditLog).where(eq(auditLog.action, 'kill_job'));
    const last = errors.sort((a, b) => a.id - b.id).at(-1)!;
    assert.deepEqual([last.decision, last.jid], ['error', jid]);
    salt = null;
    try {
      assert.equal((await post(`/api/jobs/${jid}/kill`)).status, 503);
    } finally {
      salt = client;
    }
  });

  test('activity and timeline: both faces, SVG', async () => {
    const a = JobActivity.parse(await (await get('/api/jobs/activity')).json());
    assert.equal(a.hours.length, 168);
    const sum = (k: 'succeeded' | 'failed' | 'running' | 'unknown') => a.hours.reduce((n, h) => n + h[k], 0);
    assert.equal(sum('failed'), 2, 'the state job and the missing sls');
    assert.ok(sum('succeeded') >= 2);
    assert.equal(a.days.reduce((n, d) => n + d.failed + d.succeeded + d.running + d.unknown, 0), sum('failed') + sum('succeeded') + sum('running') + sum('unknown'));
    const svg = await (await get('/api/jobs/activity', admin, HX)).text();
    assert.match(svg, /<section id="job-activity">[\s\S]*<svg/);

    const t = JobTimeline.parse(await (await get('/api/jobs/timeline')).json());
    assert.ok(t.jobs.some((j) => j.jid === stateJid && j.outcome === 'failed'));
    const empty = JobTimeline.parse(await (await get('/api/jobs/timeline?from=2001-01-01T00:00:00Z&to=2001-01-02T00:00:00Z')).json());
    assert.deepEqual(empty.jobs, []);
    const one = JobTimeline.parse(await (await get('/api/jobs/timeline?limit=1')).json());
    assert.equal(one.jobs.length, 1);
    assert.equal(one.truncated, true);
    const tl = await (await get('/api/jobs/timeline', admin, HX)).text();
    assert.ok(tl.includes(`data-jid="${stateJid}"`));
    assert.equal((await get('/api/jobs/timeline?limit=0')).status, 422);
    assert.equal((await get('/api/jobs/activity', viewer)).status, 200);
  });

  test('pages: /jobs and /jobs/:jid in the layout', async () => {
    const list = await get('/jobs?function=state.', admin, { Accept: 'text/html' });
    assert.equal(list.status, 200);
    const html = await list.text();
    assert.match(html, /<!doctype html>/i);
    assert.match(html, /<section id="jobs"/);
    assert.match(html, /<section id="job-activity"/);
    assert.match(html, /<section id="job-timeline"/);
    assert.match(html, /href="\/jobs" class="active"/);
    const detail = await get(`/jobs/${stateJid}`, admin, { Accept: 'text/html' });
    assert.equal(detail.status, 200);
    assert.match(await detail.text(), /<article id="job-detail"/);
    assert.equal((await get('/jobs/nope', admin, { Accept: 'text/html' })).status, 404);
  });
});
