import { test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import { describeEachEngine } from '../../test/support/db.ts';
import { auditLog } from '../auth/model.ts';
import { ErrorBody } from '../http/problem.ts';
import { runDispatches } from './model.ts';
import { FunctionDoc, FunctionList, RunAccepted } from './schemas.ts';
import { EVIL, HX, settle, useRunTestbed, type RunTestbed } from './testkit.ts';

describeEachEngine('run routes', (engine) => {
  const tb = useRunTestbed(engine);
  const { sent, hub } = tb;
  const ctx = () => tb.ctx();
  const post: RunTestbed['post'] = (...a) => tb.post(...a);
  const postForm: RunTestbed['postForm'] = (...a) => tb.postForm(...a);
  const get: RunTestbed['get'] = (...a) => tb.get(...a);
  const preview: RunTestbed['preview'] = (b) => tb.preview(b);
  const auditRows: RunTestbed['auditRows'] = (a) => tb.auditRows(a);
  const setThreshold: RunTestbed['setThreshold'] = (n) => tb.setThreshold(n);

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
    tb.setSalt(null); // the snapshot answers even with Salt gone
    try {
      assert.equal((await preview({ target: '*' })).count, 3);
    } finally {
      tb.setSalt(tb.client);
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
    tb.setSalt(null);
    try {
      const res = await post('/api/run/preview', { fun: 'test.ping', target: 'webs', target_type: 'nodegroup' });
      assert.equal(res.status, 503);
      assert.match(ErrorBody.parse(await res.json()).message, /Salt is not configured/);
    } finally {
      tb.setSalt(tb.client);
    }
  });

  test('preview: the fragment says how many and escapes ids; danger and threshold decide the confirmation', async () => {
    const res = await post('/api/run/preview', { fun: 'test.ping', target: 'evil*' }, tb.admin, HX);
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
      const frag = await (await post('/api/run/preview', { fun: 'test.ping', target: 'web*' }, tb.admin, HX)).text();
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

  test('permission per function: test.* allowed, cmd.* refused (403, audited); a viewer runs nothing', async () => {
    const ok = await post('/api/run', { target: 'web01', fun: 'test.ping' }, tb.pinger);
    assert.equal(ok.status, 202, await ok.clone().text());
    const no = await post('/api/run', { target: 'web01', fun: 'cmd.run', args: ['id'], confirm: true }, tb.pinger);
    assert.equal(no.status, 403);
    assert.match(ErrorBody.parse(await no.json()).message, /run on salt:cmd\.run/);
    assert.equal((await post('/api/run/preview', { target: 'web01', fun: 'cmd.run' }, tb.pinger)).status, 403);
    assert.equal((await postForm('/api/run', { target: 'web01', fun: 'cmd.run', confirm: 'on' }, tb.pinger)).status, 403);
    // `fun` twice in a form: checked as running anything, so the allowed first one cannot smuggle the second.
    const twice = await ctx().app.request('/api/run', {
      method: 'POST',
      headers: { Cookie: tb.pinger.cookie, 'X-CSRF-Token': tb.pinger.csrf, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'target=web01&fun=test.ping&fun=cmd.run&confirm=on',
    });
    assert.equal(twice.status, 403);
    const pam = (await ctx().handle.db.select().from(auditLog).where(and(eq(auditLog.username, 'pam'), eq(auditLog.action, 'run')))).map((r) => `${r.decision} ${r.resource}`);
    assert.ok(pam.includes('allow salt:test.ping'), pam.join());
    assert.ok(pam.includes('deny salt:cmd.run'), pam.join());
    assert.ok(!pam.includes('ok salt:cmd.run'));
    assert.equal((await post('/api/run', { target: 'web01', fun: 'test.ping' }, tb.viewer)).status, 403);
    // Without a usable fun the check is on running anything: the test.*-only role is refused too.
    assert.equal((await post('/api/run', {}, tb.pinger)).status, 403);
    assert.equal((await post('/api/run', {}, tb.admin)).status, 422);
    // The page opens for a role that may run something.
    const pingerPage = await get('/run', tb.pinger, { Accept: 'text/html' });
    assert.equal(pingerPage.status, 200);
    assert.ok(!(await pingerPage.text()).includes('/api/salt/functions'), 'no function list for a role that may not read it');
    assert.equal((await get('/run', tb.viewer, { Accept: 'text/html' })).status, 403);
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
    tb.setSalt(null);
    try {
      const res = await post('/api/run', { target: 'web*', fun: 'test.ping' });
      assert.equal(res.status, 503);
      assert.match(ErrorBody.parse(await res.json()).message, /Salt is not configured/);
      const frag = await post('/api/run', { target: 'web*', fun: 'test.ping' }, tb.admin, HX);
      assert.equal(frag.status, 503);
      assert.match(await frag.text(), /Salt is not configured/);
    } finally {
      tb.setSalt(tb.client);
    }
    tb.sim.faults.failNext(1, 500);
    const bad = await post('/api/run', { target: 'web*', fun: 'test.ping' });
    assert.equal(bad.status, 502);
    assert.match(ErrorBody.parse(await bad.json()).message, /500/);
    assert.ok((await auditRows('run')).some((r) => r.decision === 'error' && /500/.test(r.detail ?? '')));
    const none = await post('/api/run', { target: 'nosuch*', fun: 'test.ping' });
    assert.equal(none.status, 422);
    assert.match(ErrorBody.parse(await none.json()).message, /no minion matched/);
  });

  test('the run form posts a form and answers with the live panel', async () => {
    const res = await postForm('/api/run', { target: 'web01', target_type: 'glob', fun: 'test.echo', args_text: 'hello', kwargs_text: '', batch: '', timeout: '' }, tb.admin, HX);
    assert.equal(res.status, 202, await res.clone().text());
    const html = await res.text();
    const jid = /id="run-(\d{20})"/.exec(html)?.[1];
    assert.ok(jid, html);
    assert.equal(res.headers.get('HX-Push-Url'), `/run/${jid}`);
    assert.match(html, /<progress max="1" value="0">/);
    const page = await (await get('/run', tb.admin, { Accept: 'text/html' })).text();
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
    const frag = await (await get('/api/salt/functions', tb.admin, HX)).text();
    assert.match(frag, /<datalist id="salt-functions"/);
    assert.match(frag, /<option value="test\.ping"/);
    assert.equal(sent.filter((l) => l.fun === 'sys.list_functions').length, 1, 'cached');
    const doc = FunctionDoc.parse(await (await get('/api/salt/doc?fun=test.ping')).json());
    assert.match(doc.doc ?? '', /\S/);
    assert.match(await (await get('/api/salt/doc?fun=test.ping', tb.admin, HX)).text(), /<pre>/);
    assert.equal((await get('/api/salt/doc?fun=x')).status, 422);
    assert.equal((await get('/api/salt/functions', tb.viewer)).status, 403);
  });
});
