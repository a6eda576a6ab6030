import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import { describeEachEngine } from '../../test/support/db.ts';
import { useTestApp } from '../../test/support/app.ts';
import { signInAdmin, userWithRoles, type TestSession } from '../../test/support/auth.ts';
import { startSimulator, type Simulator } from '../../sim/server.ts';
import { SaltApiClient } from '../salt/client.ts';
import type { Runtime } from '../runtime-types.ts';
import { auditLog } from '../auth/model.ts';
import { appSettings } from '../settings/model.ts';
import { ingestMinions } from '../minions/ingest.ts';
import { createRole } from '../rbac/service.ts';
import { PermissionCache } from '../rbac/service.ts';
import { EventHub } from '../activity/hub.ts';
import { insertActivityEvents } from '../activity/service.ts';
import { normalizeEvent } from '../activity/normalize.ts';
import { ErrorBody } from '../http/problem.ts';
import { activeJobs } from '../jobs/active.ts';
import { runDispatches } from './model.ts';
import { FunctionDoc, FunctionList, RunAccepted, RunPreview, RunProgress } from './schemas.ts';

const EVIL = 'evil<b>"x';

/**
 * The client with `runnerAsync` (client: runner_async), which SaltApiClient does not have yet;
 * `lookups` answers jobs.lookup_jid for chosen jids (the simulator has no orchestrate runner).
 */
class BatchCapableClient extends SaltApiClient {
  readonly lookups = new Map<string, Record<string, unknown>>();
  constructor(
    private readonly base: string,
    private readonly record: (low: Record<string, unknown>) => void,
    opts: ConstructorParameters<typeof SaltApiClient>[0],
  ) {
    super(opts);
  }
  async runnerAsync(fun: string, kwarg?: Record<string, unknown>): Promise<{ jid: string; tag?: string }> {
    const low = { client: 'runner_async', fun, ...(kwarg ? { kwarg } : {}) };
    this.record(low);
    const { token } = await this.login();
    const res = await fetch(`${this.base}/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-Auth-Token': token },
      body: JSON.stringify([low]),
    });
    return ((await res.json()) as { return: { jid: string; tag: string }[] }).return[0]!;
  }
  override async lookupJid(jid: string): Promise<Record<string, unknown>> {
    return this.lookups.get(jid) ?? super.lookupJid(jid);
  }
}

/** jobs.lookup_jid of a finished batch runner, as Salt 3007.14 answers it (scripts/salt-lab). */
function orchestrationAnswer(jid: string, rets: Record<string, unknown>): Record<string, unknown> {
  return {
    'salt-lab-master': {
      fun: 'runner.state.orchestrate_single', jid, user: 'saltdev', success: true,
      return: { 'salt-lab-master': { 'salt_|-test.ping_|-test.ping_|-function': { name: 'test.ping', changes: { ret: rets }, result: true, comment: 'Function ran successfully.', __run_num__: 0 } } },
    },
  };
}
const HX = { 'HX-Request': 'true' };
const settle = () => new Promise((r) => setTimeout(r, 80)); // the simulator's minions return after 5 ms

describeEachEngine('run routes', (engine) => {
  let sim: Simulator;
  let salt: SaltApiClient | null = null;
  /** Every lowstate the client sent, to see what reached salt-api. */
  const sent: Record<string, unknown>[] = [];
  const runtime: Runtime = {
    get salt() {
      return salt;
    },
    status: () => ({ state: salt ? 'ok' : 'unconfigured', message: null, since: new Date().toISOString(), nextRetryAt: null }),
  };
  const hub = new EventHub();
  const ctx = useTestApp(engine, { deps: { runtime, hub } });
  let admin: TestSession;
  let viewer: TestSession;
  let pinger: TestSession;
  let client: BatchCapableClient;

  before(async () => {
    sim = await startSimulator({ preset: 'lab', jobDurationMs: 5, presenceIntervalMs: 0 });
    sim.fleet.addMinion(EVIL, 'accepted');
    const recordingFetch: typeof fetch = async (input, init) => {
      if (typeof init?.body === 'string' && init.body.startsWith('[')) sent.push(...(JSON.parse(init.body) as Record<string, unknown>[]));
      return fetch(input, init);
    };
    client = new BatchCapableClient(sim.url, (low) => sent.push(low), { url: sim.url, username: 'saltdev', password: 'x', eauth: 'auto', sleep: async () => {}, maxRetries: 0, fetch: recordingFetch });
    salt = client;
    const db = ctx().handle.db;
    await ingestMinions({ db, salt: client, masterId: 'default', now: () => new Date() });
    admin = await signInAdmin(ctx().app);
    viewer = await userWithRoles(ctx().app, db, 'vic', ['viewer']);
    await createRole(db, new PermissionCache(), {
      name: 'pinger',
      permissions: [
        { verb: 'run', resource: 'salt:test.*' },
        { verb: 'view', resource: 'job:*' },
      ],
    });
    pinger = await userWithRoles(ctx().app, db, 'pam', ['pinger']);
  });
  after(async () => {
    await client.logout().catch(() => {});
    await sim.close();
  });

  const post = (path: string, body: unknown, s: TestSession = admin, headers: Record<string, string> = {}) =>
    ctx().app.request(path, { method: 'POST', headers: { ...s.json, ...headers }, body: JSON.stringify(body) });
  const postForm = (path: string, fields: Record<string, string>, s: TestSession = admin, headers: Record<string, string> = {}) =>
    ctx().app.request(path, {
      method: 'POST',
      headers: { Cookie: s.cookie, 'X-CSRF-Token': s.csrf, 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(fields).toString(),
    });
  const get = (path: string, s: TestSession = admin, headers: Record<string, string> = {}) => ctx().app.request(path, { headers: { ...s.get, ...headers } });
  const preview = async (body: Record<string, unknown>) => {
    const res = await post('/api/run/preview', { fun: 'test.ping', ...body });
    assert.equal(res.status, 200, await res.clone().text());
    return RunPreview.parse(await res.json());
  };
  const auditRows = async (action: string) =>
    (await ctx().handle.db.select().from(auditLog).where(eq(auditLog.action, action))).map((r) => ({ ...r }));
  const setThreshold = async (n: number) => {
    await ctx().app.request('/api/auth/me', { headers: admin.get }); // the settings row exists once anyone read it
    await ctx().handle.db.update(appSettings).set({ runConfirmThreshold: n });
  };

  test('preview: snapshot target types resolve without Salt, accepted minions only', async () => {
    assert.deepEqual((await preview({ target: 'web*' })).minions, ['web01', 'web02']);
    const p = await preview({ target: 'web0[12]', target_type: 'pcre' });
    assert.equal(p.count, 2);
    assert.equal(p.source, 'snapshot');
    // db01's key is pending: Salt would not target it.
    assert.deepEqual((await preview({ target: 'web01, db01', target_type: 'list' })).minions, ['web01']);
    assert.deepEqual((await preview({ target: 'roles:web', target_type: 'grain' })).minions, [EVIL, 'web01', 'web02']);
    assert.deepEqual((await preview({ target: 'os_family:deb*', target_type: 'grain' })).minions, [], 'fnmatch is case-sensitive');
    assert.equal((await preview({ target: 'roles:d.', target_type: 'grain_pcre' })).count, 0);
    assert.equal((await preview({ target: 'nomatch*' })).count, 0);
    sent.length = 0;
    salt = null; // the snapshot answers even with Salt gone
    try {
      assert.equal((await preview({ target: '*' })).count, 3);
    } finally {
      salt = client;
    }
    assert.equal(sent.length, 0);
  });

  test('preview: pillar, nodegroup, ipcidr and compound are asked from the master (cache.grains)', async () => {
    sent.length = 0;
    const ng = await preview({ target: 'webs', target_type: 'nodegroup' });
    assert.deepEqual(ng.minions, ['web01', 'web02']);
    assert.equal(ng.source, 'master');
    assert.deepEqual(sent[0], { client: 'runner', fun: 'cache.grains', kwarg: { tgt: 'webs', tgt_type: 'nodegroup' } });
    assert.deepEqual((await preview({ target: 'G@roles:web and web* and not web02', target_type: 'compound' })).minions, ['web01']);
    assert.equal((await preview({ target: 'saltlab:env:lab', target_type: 'pillar' })).count, 3);
    assert.equal((await preview({ target: '127.0.0.0/8', target_type: 'ipcidr' })).source, 'master');
    // Nothing was published to a minion to find out.
    assert.ok(sent.every((l) => l.client === 'runner'));
    salt = null;
    try {
      const res = await post('/api/run/preview', { fun: 'test.ping', target: 'webs', target_type: 'nodegroup' });
      assert.equal(res.status, 503);
      assert.match(ErrorBody.parse(await res.json()).message, /Salt is not configured/);
    } finally {
      salt = client;
    }
  });

  test('preview: the fragment says how many and escapes ids; danger and threshold decide the confirmation', async () => {
    const res = await post('/api/run/preview', { fun: 'test.ping', target: 'evil*' }, admin, HX);
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /This will run <code>test\.ping<\/code> on <strong id="run-preview-count">1<\/strong> minion/);
    assert.ok(html.includes('<span>evil&lt;b>&#34;x</span>'), html);
    assert.ok(!html.includes('evil<b>'));
    assert.equal((await preview({ target: 'web*' })).confirmation, 'none');
    const cmd = await preview({ target: 'web*', fun: 'cmd.run', args: ['ls'] });
    assert.equal(cmd.confirmation, 'confirm');
    assert.match(cmd.danger_reason!, /dangerous/);
    assert.equal((await preview({ target: 'web*', fun: 'state.apply', kwargs: { test: true } })).confirmation, 'none');
    assert.equal((await preview({ target: 'web*', fun: 'state.apply', args: ['demo', 'test=True'] })).confirmation, 'none');
    assert.equal((await preview({ target: 'web*', fun: 'state.apply' })).confirmation, 'confirm');
    await setThreshold(1);
    try {
      const big = await preview({ target: 'web*' });
      assert.equal(big.confirmation, 'type_count');
      assert.equal(big.threshold, 1);
      const frag = await (await post('/api/run/preview', { fun: 'test.ping', target: 'web*' }, admin, HX)).text();
      assert.match(frag, /name="confirm_count"/);
    } finally {
      await setThreshold(10);
    }
  });

  test('bad input: 422 with the field and a clear message', async () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ target: 'web*', target_type: 'hostname', fun: 'test.ping' }, 'target_type', /must be one of glob, list, pcre/],
      [{ target: 'web*', fun: 'test.ping', args: 'a b' }, 'args', /must be a list/],
      [{ target: 'web*', fun: 'test.ping', kwargs: ['x'] }, 'kwargs', /must be an object/],
      [{ target: '  ', fun: 'test.ping' }, 'target', /must not be empty/],
      [{ fun: 'test.ping' }, 'target', /required/],
      [{ target: 'web*', fun: 'rm -rf' }, 'fun', /Salt function name/],
      [{ target: 'web*', fun: 'test.ping', batch: 'half' }, 'batch', /count \(10\) or a percentage/],
      [{ target: 'web*', fun: 'test.ping', timeout: 0 }, 'timeout', /at least 1/],
    ];
    for (const [body, field, message] of cases) {
      for (const path of ['/api/run', '/api/run/preview']) {
        const res = await post(path, body);
        assert.equal(res.status, 422, `${path} ${JSON.stringify(body)}`);
        const err = ErrorBody.parse(await res.json());
        const f = err.fields?.find((x) => x.field === field);
        assert.ok(f, `${JSON.stringify(body)}: ${JSON.stringify(err.fields)}`);
        assert.match(f.message, message);
      }
    }
    const form = await postForm('/api/run', { target: 'web*', fun: 'test.ping', kwargs_text: 'no equals sign' });
    assert.equal(form.status, 422);
    assert.equal(ErrorBody.parse(await form.json()).fields?.[0]?.field, 'kwargs_text');
  });

  test('dispatch: 202 with the jid and minions via local_async; audited with the jid; recorded', async () => {
    sent.length = 0;
    const res = await post('/api/run', { target: 'web*', fun: 'test.arg', args: ['a', 1], kwargs: { k: 'v' }, timeout: 30 });
    assert.equal(res.status, 202, await res.clone().text());
    const a = RunAccepted.parse(await res.json());
    assert.match(a.jid, /^\d{20}$/);
    assert.deepEqual(a.minions.sort(), ['web01', 'web02']);
    assert.equal(a.links.run, `/run/${a.jid}`);
    const low = sent.find((l) => l.client === 'local_async')!;
    assert.deepEqual(low, { client: 'local_async', tgt: 'web*', fun: 'test.arg', tgt_type: 'glob', arg: ['a', 1], kwarg: { k: 'v' }, timeout: 30 });
    const row = (await auditRows('run')).find((r) => r.jid === a.jid)!;
    assert.equal(row.decision, 'ok');
    assert.equal(row.resource, 'salt:test.arg');
    assert.deepEqual((row.payload as { args: unknown[] }).args, ['a', 1]);
    const allow = (await auditRows('run')).filter((r) => r.decision === 'allow' && r.resource === 'salt:test.arg');
    assert.ok(allow.length >= 1, 'the guard audited its decision on the function');
    const [rec] = await ctx().handle.db.select().from(runDispatches).where(eq(runDispatches.jid, a.jid));
    assert.equal(rec!.username, 'admin');
    // A list target is sent as a list.
    sent.length = 0;
    assert.equal((await post('/api/run', { target: 'web01,web02', target_type: 'list', fun: 'test.ping' })).status, 202);
    assert.deepEqual(sent.find((l) => l.client === 'local_async')!.tgt, ['web01', 'web02']);
  });

  test('batch: a runner job on the master (runner_async state.orchestrate_single), never local_batch nor local_async', async () => {
    sent.length = 0;
    const res = await post('/api/run', { target: '*', fun: 'test.ping', batch: '50%', args: ['x'], timeout: 9 });
    assert.equal(res.status, 202, await res.clone().text());
    const a = RunAccepted.parse(await res.json());
    assert.equal(a.batch, '50%');
    assert.deepEqual(a.minions, [EVIL, 'web01', 'web02'], 'the resolved target');
    assert.deepEqual(sent, [
      {
        client: 'runner_async',
        fun: 'state.orchestrate_single',
        kwarg: { fun: 'salt.function', name: 'test.ping', tgt: '*', tgt_type: 'glob', batch: '50%', arg: ['x'], timeout: 9 },
      },
    ]);
    const [rec] = await ctx().handle.db.select().from(runDispatches).where(eq(runDispatches.jid, a.jid));
    assert.deepEqual([rec!.batch, rec!.minions], ['50%', [EVIL, 'web01', 'web02']]);
    sent.length = 0;
    const list = RunAccepted.parse(await (await post('/api/run', { target: 'web01,web02', target_type: 'list', fun: 'test.ping', batch: 1 })).json());
    assert.equal(list.batch, '1');
    assert.deepEqual((sent[0]!.kwarg as { tgt: unknown }).tgt, ['web01', 'web02']);
    const none = await post('/api/run', { target: 'nosuch*', fun: 'test.ping', batch: '1' });
    assert.equal(none.status, 422);
    // A client without runnerAsync cannot batch: 501, and nothing ran.
    const plain = new SaltApiClient({ url: sim.url, username: 'saltdev', password: 'x', eauth: 'auto', maxRetries: 0 });
    salt = plain;
    try {
      const res501 = await post('/api/run', { target: 'web*', fun: 'test.ping', batch: '1' });
      assert.equal(res501.status, 501);
      assert.match(ErrorBody.parse(await res501.json()).message, /runnerAsync/);
    } finally {
      salt = client;
      await plain.logout().catch(() => {});
    }
  });

  test('batch progress: returns of the function from the targeted minions since the dispatch; done when the runner is', async () => {
    hub.setStatus('connected', null);
    try {
      const a = RunAccepted.parse(await (await post('/api/run', { target: 'web*', fun: 'test.ping', batch: '1' })).json());
      client.lookups.set(a.jid, {});
      const ret = (jid: string, mid: string, fun = 'test.ping') =>
        normalizeEvent({ tag: `salt/job/${jid}/ret/${mid}`, data: { id: mid, fun, success: true, retcode: 0, return: true, jid } })!;
      // One batch returned (its own jid); another function and another minion do not count.
      await insertActivityEvents(ctx().handle.db, 'default', [ret('20990101000000000001', 'web01'), ret('20990101000000000002', 'web02', 'test.echo'), ret('20990101000000000003', EVIL)]);
      const mid = RunProgress.parse(await (await get(`/api/run/${a.jid}`)).json());
      assert.deepEqual([mid.returned, mid.pending, mid.done], [1, 1, false]);
      const html = await (await get(`/api/run/${a.jid}`, admin, HX)).text();
      assert.match(html, /Batch <span>1<\/span>/);
      // The runner ended and web02 never answered: done, web02 without a return.
      client.lookups.set(a.jid, orchestrationAnswer(a.jid, { web01: true }));
      const done = RunProgress.parse(await (await get(`/api/run/${a.jid}?results=always`)).json());
      assert.deepEqual([done.returned, done.done, done.results_loaded], [1, true, true]);
      assert.deepEqual(done.minions.map((m) => [m.minion, m.status]), [['web02', 'missing'], ['web01', 'returned']]);
      hub.setStatus('off', null);
      // Stream off: lookup_jid of the runner says nothing until it ends, then everything.
      const b = RunAccepted.parse(await (await post('/api/run', { target: 'web*', fun: 'test.ping', batch: '1' })).json());
      client.lookups.set(b.jid, {});
      const running = RunProgress.parse(await (await get(`/api/run/${b.jid}`)).json());
      assert.deepEqual([running.returned, running.pending, running.done, running.source], [0, 2, false, 'lookup_jid']);
      client.lookups.set(b.jid, orchestrationAnswer(b.jid, { web01: true, web02: true }));
      const over = RunProgress.parse(await (await get(`/api/run/${b.jid}`)).json());
      assert.deepEqual([over.returned, over.done], [2, true]);
      assert.equal(over.minions.find((m) => m.minion === 'web02')!.return, true);
    } finally {
      hub.setStatus('off', null);
    }
  });

  test('permission per function: test.* allowed, cmd.* refused (403, audited); a viewer runs nothing', async () => {
    const ok = await post('/api/run', { target: 'web01', fun: 'test.ping' }, pinger);
    assert.equal(ok.status, 202, await ok.clone().text());
    const no = await post('/api/run', { target: 'web01', fun: 'cmd.run', args: ['id'], confirm: true }, pinger);
    assert.equal(no.status, 403);
    assert.match(ErrorBody.parse(await no.json()).message, /run on salt:cmd\.run/);
    assert.equal((await post('/api/run/preview', { target: 'web01', fun: 'cmd.run' }, pinger)).status, 403);
    assert.equal((await postForm('/api/run', { target: 'web01', fun: 'cmd.run', confirm: 'on' }, pinger)).status, 403);
    // `fun` twice in a form: checked as running anything, so the allowed first one cannot smuggle the second.
    const twice = await ctx().app.request('/api/run', {
      method: 'POST',
      headers: { Cookie: pinger.cookie, 'X-CSRF-Token': pinger.csrf, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'target=web01&fun=test.ping&fun=cmd.run&confirm=on',
    });
    assert.equal(twice.status, 403);
    const pam = (await ctx().handle.db.select().from(auditLog).where(and(eq(auditLog.username, 'pam'), eq(auditLog.action, 'run')))).map((r) => `${r.decision} ${r.resource}`);
    assert.ok(pam.includes('allow salt:test.ping'), pam.join());
    assert.ok(pam.includes('deny salt:cmd.run'), pam.join());
    assert.ok(!pam.includes('ok salt:cmd.run'));
    assert.equal((await post('/api/run', { target: 'web01', fun: 'test.ping' }, viewer)).status, 403);
    // Without a usable fun the check is on running anything: the test.*-only role is refused too.
    assert.equal((await post('/api/run', {}, pinger)).status, 403);
    assert.equal((await post('/api/run', {}, admin)).status, 422);
    // The page opens for a role that may run something.
    const pingerPage = await get('/run', pinger, { Accept: 'text/html' });
    assert.equal(pingerPage.status, 200);
    assert.ok(!(await pingerPage.text()).includes('/api/salt/functions'), 'no function list for a role that may not read it');
    assert.equal((await get('/run', viewer, { Accept: 'text/html' })).status, 403);
  });

  test('dangerous functions and large targets need a server-side confirmation', async () => {
    const bare = await post('/api/run', { target: 'web*', fun: 'cmd.run', args: ['uptime'] });
    assert.equal(bare.status, 422);
    const err = ErrorBody.parse(await bare.json());
    assert.equal(err.fields?.[0]?.field, 'confirm');
    assert.match(err.message, /cmd\.run is on the list of dangerous functions/);
    assert.equal((await auditRows('run')).filter((r) => r.decision === 'error' && r.resource === 'salt:cmd.run').length, 1);
    assert.equal((await post('/api/run', { target: 'web*', fun: 'cmd.run', args: ['uptime'], confirm: true })).status, 202);
    assert.equal((await post('/api/run', { target: 'web*', fun: 'state.apply', args: ['demo'] })).status, 422);
    assert.equal((await post('/api/run', { target: 'web*', fun: 'state.apply', args: ['demo'], kwargs: { test: true } })).status, 202);
    assert.equal((await postForm('/api/run', { target: 'web*', fun: 'state.apply', args_text: 'demo', confirm: 'on' })).status, 202);
    await setThreshold(1);
    try {
      const big = await post('/api/run', { target: 'web*', fun: 'test.ping' });
      assert.equal(big.status, 422);
      assert.match(ErrorBody.parse(await big.json()).message, /type 2 to confirm/);
      const wrong = await post('/api/run', { target: 'web*', fun: 'test.ping', confirm_count: 3 });
      assert.match(ErrorBody.parse(await wrong.json()).message, /3 does not match/);
      assert.equal((await post('/api/run', { target: 'web*', fun: 'test.ping', confirm: true })).status, 422, 'a checkbox is not enough');
      assert.equal((await post('/api/run', { target: 'web*', fun: 'test.ping', confirm_count: 2 })).status, 202);
      assert.equal((await postForm('/api/run', { target: 'web01', fun: 'test.ping' })).status, 202, 'one minion is under the threshold');
    } finally {
      await setThreshold(10);
    }
  });

  test('Salt missing → 503, Salt error → 502, no match → 422; all in both faces', async () => {
    salt = null;
    try {
      const res = await post('/api/run', { target: 'web*', fun: 'test.ping' });
      assert.equal(res.status, 503);
      assert.match(ErrorBody.parse(await res.json()).message, /Salt is not configured/);
      const frag = await post('/api/run', { target: 'web*', fun: 'test.ping' }, admin, HX);
      assert.equal(frag.status, 503);
      assert.match(await frag.text(), /Salt is not configured/);
    } finally {
      salt = client;
    }
    sim.faults.failNext(1, 500);
    const bad = await post('/api/run', { target: 'web*', fun: 'test.ping' });
    assert.equal(bad.status, 502);
    assert.match(ErrorBody.parse(await bad.json()).message, /500/);
    assert.ok((await auditRows('run')).some((r) => r.decision === 'error' && /500/.test(r.detail ?? '')));
    const none = await post('/api/run', { target: 'nosuch*', fun: 'test.ping' });
    assert.equal(none.status, 422);
    assert.match(ErrorBody.parse(await none.json()).message, /no minion matched/);
  });

  test('progress with the stream off: jobs.lookup_jid, counts, state results rendered, link to the job', async () => {
    hub.setStatus('off', null);
    const a = RunAccepted.parse(await (await post('/api/run', { target: 'web*', fun: 'state.apply', args: ['demo'], confirm: true })).json());
    await settle();
    const res = await get(`/api/run/${a.jid}`);
    assert.equal(res.status, 200, await res.clone().text());
    const p = RunProgress.parse(await res.json());
    assert.equal(p.source, 'lookup_jid');
    assert.deepEqual([p.targeted, p.returned, p.pending, p.done], [2, 2, 0, true]);
    assert.equal(p.failed, 2, 'demo.sls has a failing state on every minion');
    assert.ok(p.results_loaded);
    const html = await (await get(`/api/run/${a.jid}`, admin, HX)).text();
    assert.match(html, /<progress max="2" value="2">/);
    assert.match(html, /class="state-results"/);
    assert.ok(html.includes(`href="/jobs/${a.jid}"`));
    assert.ok(!/hx-trigger/.test(html), 'a finished run stops refreshing');
    const page = await get(`/run/${a.jid}`, admin, { Accept: 'text/html' });
    assert.equal(page.status, 200);
    assert.match(await page.text(), new RegExp(`href="/jobs/${a.jid}"`));
    assert.equal((await get('/api/run/20000101000000000000')).status, 404);
    assert.equal((await get('/api/run/123')).status, 422);
  });

  test('progress with the stream live: counted from the job.ret events, returns fetched once done', async () => {
    hub.setStatus('connected', null);
    try {
      const a = RunAccepted.parse(await (await post('/api/run', { target: 'web*', fun: 'test.ping' })).json());
      sent.length = 0;
      const first = RunProgress.parse(await (await get(`/api/run/${a.jid}`)).json());
      assert.deepEqual([first.source, first.returned, first.pending, first.results_loaded], ['stream', 0, 2, false]);
      assert.equal(sent.length, 0, 'no Salt call while the stream delivers');
      const fragment = await (await get(`/api/run/${a.jid}`, admin, HX)).text();
      assert.match(fragment, new RegExp(`hx-trigger="sse:job-changed-${a.jid}`));
      const ret = (mid: string, success: boolean) =>
        normalizeEvent({ tag: `salt/job/${a.jid}/ret/${mid}`, data: { id: mid, fun: 'test.ping', success, retcode: success ? 0 : 1, return: success, jid: a.jid } })!;
      await insertActivityEvents(ctx().handle.db, 'default', [ret('web01', false)]);
      const mid = RunProgress.parse(await (await get(`/api/run/${a.jid}`)).json());
      assert.deepEqual([mid.returned, mid.failed, mid.pending, mid.done], [1, 1, 1, false]);
      assert.equal(mid.minions[0]!.minion, 'web01', 'failing minions first');
      await insertActivityEvents(ctx().handle.db, 'default', [ret('web02', true)]);
      await settle();
      const done = RunProgress.parse(await (await get(`/api/run/${a.jid}`)).json());
      assert.deepEqual([done.returned, done.failed, done.done, done.results_loaded], [2, 1, true, true]);
      assert.equal(done.minions.find((m) => m.minion === 'web02')!.return, true);
    } finally {
      hub.setStatus('off', null);
    }
  });

  test('a minion that is down: once jobs.active no longer lists the job, the run is done and the minion has no return', async () => {
    sim.fleet.setPresence('web02', false);
    try {
      const a = RunAccepted.parse(await (await post('/api/run', { target: 'web*', fun: 'test.ping' })).json());
      await settle();
      const waiting = RunProgress.parse(await (await get(`/api/run/${a.jid}`)).json());
      assert.deepEqual([waiting.returned, waiting.pending, waiting.done], [1, 1, false]);
      // A jobs.active reading taken well after the dispatch, without the jid: the job is over.
      activeJobs.set('default', new Map(), new Date(Date.now() + 60_000));
      const over = RunProgress.parse(await (await get(`/api/run/${a.jid}`)).json());
      assert.deepEqual([over.returned, over.pending, over.done], [1, 0, true]);
      assert.deepEqual(over.minions.find((m) => m.minion === 'web02'), { minion: 'web02', status: 'missing', outcome: null });
      assert.match(await (await get(`/api/run/${a.jid}`, admin, HX)).text(), /no return/);
    } finally {
      activeJobs.clear();
      sim.fleet.setPresence('web02', undefined);
    }
  });

  test('the run form posts a form and answers with the live panel', async () => {
    const res = await postForm('/api/run', { target: 'web01', target_type: 'glob', fun: 'test.echo', args_text: 'hello', kwargs_text: '', batch: '', timeout: '' }, admin, HX);
    assert.equal(res.status, 202, await res.clone().text());
    const html = await res.text();
    const jid = /id="run-(\d{20})"/.exec(html)?.[1];
    assert.ok(jid, html);
    assert.equal(res.headers.get('HX-Push-Url'), `/run/${jid}`);
    assert.match(html, /<progress max="1" value="0">/);
    const page = await (await get('/run', admin, { Accept: 'text/html' })).text();
    assert.match(page, /id="run-form"/);
    assert.match(page, /hx-post="\/api\/run\/preview"/);
    assert.match(page, /hx-get="\/api\/salt\/functions"/);
  });

  test('functions: sys.list_functions on one minion, cached; sys.doc beside the form', async () => {
    sent.length = 0;
    const res = await get('/api/salt/functions');
    assert.equal(res.status, 200, await res.clone().text());
    const list = FunctionList.parse(await res.json());
    assert.ok(list.data.includes('test.ping'));
    assert.ok(['web01', 'web02', EVIL].includes(list.asked));
    const calls = sent.filter((l) => l.fun === 'sys.list_functions');
    assert.equal(calls.length, 1);
    assert.equal(typeof calls[0]!.tgt, 'string', 'one minion, not the fleet');
    const frag = await (await get('/api/salt/functions', admin, HX)).text();
    assert.match(frag, /<datalist id="salt-functions"/);
    assert.match(frag, /<option value="test\.ping"/);
    assert.equal(sent.filter((l) => l.fun === 'sys.list_functions').length, 1, 'cached');
    const doc = FunctionDoc.parse(await (await get('/api/salt/doc?fun=test.ping')).json());
    assert.match(doc.doc ?? '', /\S/);
    assert.match(await (await get('/api/salt/doc?fun=test.ping', admin, HX)).text(), /<pre>/);
    assert.equal((await get('/api/salt/doc?fun=x')).status, 422);
    assert.equal((await get('/api/salt/functions', viewer)).status, 403);
  });
});
