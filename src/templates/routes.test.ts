import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { describeEachEngine } from '../../test/support/db.ts';
import { useTestApp } from '../../test/support/app.ts';
import { signInAdmin, userWithRoles, type TestSession } from '../../test/support/auth.ts';
import { auditLog } from '../auth/model.ts';
import { ErrorBody } from '../http/problem.ts';
import { Template, TemplateList } from './schemas.ts';

const HX = { 'HX-Request': 'true' };

describeEachEngine('template routes', (engine) => {
  const ctx = useTestApp(engine);
  let alice: TestSession;
  let bob: TestSession;
  let viewer: TestSession;

  before(async () => {
    const { app, handle } = ctx();
    await signInAdmin(app);
    alice = await userWithRoles(app, handle.db, 'alice', ['operator']);
    bob = await userWithRoles(app, handle.db, 'bob', ['operator']);
    viewer = await userWithRoles(app, handle.db, 'vic', ['viewer']);
  });

  const send = (method: string, path: string, body: unknown, s: TestSession, headers: Record<string, string> = {}) =>
    ctx().app.request(path, { method, headers: { ...s.json, ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  const form = (method: string, path: string, fields: Record<string, string>, s: TestSession, headers: Record<string, string> = {}) =>
    ctx().app.request(path, {
      method,
      headers: { Cookie: s.cookie, 'X-CSRF-Token': s.csrf, 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(fields).toString(),
    });
  const list = async (s: TestSession) => TemplateList.parse(await (await ctx().app.request('/api/templates', { headers: s.get })).json());
  const create = async (s: TestSession, body: Record<string, unknown>) => {
    const res = await send('POST', '/api/templates', { target: 'web*', fun: 'test.ping', ...body }, s);
    assert.equal(res.status, 201, await res.clone().text());
    return Template.parse(await res.json());
  };

  test('create, read back, names unique per owner (409), bad input 422', async () => {
    const t = await create(alice, { name: 'uptime', fun: 'cmd.run', args: ['uptime'], kwargs: { timeout: 5 }, batch: '25%', timeout: 30 });
    assert.deepEqual([t.owner, t.mine, t.is_shared, t.args, t.kwargs, t.batch, t.timeout], ['alice', true, false, ['uptime'], { timeout: 5 }, '25%', 30]);
    const again = await send('POST', '/api/templates', { name: 'uptime', target: '*', fun: 'test.ping' }, alice);
    assert.equal(again.status, 409);
    assert.equal(ErrorBody.parse(await again.json()).fields?.[0]?.field, 'name');
    // Another owner may reuse the name.
    await create(bob, { name: 'uptime' });
    for (const [body, field] of [
      [{ name: 'x', target: 'web*', fun: 'test.ping', args: 'nope' }, 'args'],
      [{ name: 'x', target: '', fun: 'test.ping' }, 'target'],
      [{ name: 'x', target: 'web*', target_type: 'hostname', fun: 'test.ping' }, 'target_type'],
      [{ name: '', target: 'web*', fun: 'test.ping' }, 'name'],
    ] as const) {
      const res = await send('POST', '/api/templates', body, alice);
      assert.equal(res.status, 422, JSON.stringify(body));
      assert.ok(ErrorBody.parse(await res.json()).fields?.some((f) => f.field === field), JSON.stringify(body));
    }
    const one = Template.parse(await (await ctx().app.request(`/api/templates/${t.id}`, { headers: alice.get })).json());
    assert.equal(one.name, 'uptime');
  });

  test('private templates are the owner’s; shared ones are visible and usable by others but not editable', async () => {
    const t = await create(alice, { name: 'highstate dry run', fun: 'state.apply', kwargs: { test: true } });
    assert.ok(!(await list(bob)).data.some((x) => x.id === t.id));
    assert.equal((await ctx().app.request(`/api/templates/${t.id}`, { headers: bob.get })).status, 404);
    assert.equal((await send('PATCH', `/api/templates/${t.id}`, { name: 'mine now' }, bob)).status, 404);

    const shared = Template.parse(await (await send('PATCH', `/api/templates/${t.id}`, { is_shared: true }, alice)).json());
    assert.equal(shared.is_shared, true);
    const seen = (await list(bob)).data.find((x) => x.id === t.id)!;
    assert.deepEqual([seen.owner, seen.mine], ['alice', false]);
    const edit = await send('PATCH', `/api/templates/${t.id}`, { fun: 'cmd.run' }, bob);
    assert.equal(edit.status, 403);
    assert.match(ErrorBody.parse(await edit.json()).message, /only its owner/);
    assert.equal((await send('DELETE', `/api/templates/${t.id}`, undefined, bob)).status, 403);
    // "Use template" fills the run form for bob too.
    const page = await (await ctx().app.request(`/run?template=${t.id}`, { headers: { ...bob.get, Accept: 'text/html' } })).text();
    assert.match(page, /name="fun" required value="state\.apply"/);
    assert.match(page, /test=true/);
    assert.match(page, /Filled from the template <strong>highstate dry run<\/strong>/);
  });

  test('the owner edits (command fields and name) and deletes; writes are audited', async () => {
    const t = await create(alice, { name: 'ping', target: 'db*' });
    const res = await send('PATCH', `/api/templates/${t.id}`, { name: 'ping all', target: '*', args: ['x'], batch: null }, alice);
    assert.equal(res.status, 200, await res.clone().text());
    const changed = Template.parse(await res.json());
    assert.deepEqual([changed.name, changed.target, changed.args, changed.fun, changed.batch], ['ping all', '*', ['x'], 'test.ping', null]);
    assert.equal((await send('PATCH', `/api/templates/${t.id}`, { name: 'uptime' }, alice)).status, 409);
    assert.equal((await send('PATCH', `/api/templates/${t.id}`, { args: {} }, alice)).status, 422);
    const del = await send('DELETE', `/api/templates/${t.id}`, undefined, alice);
    assert.equal(del.status, 200);
    assert.equal((await ctx().app.request(`/api/templates/${t.id}`, { headers: alice.get })).status, 404);
    const rows = await ctx().handle.db.select().from(auditLog).where(eq(auditLog.username, 'alice'));
    const actions = rows.map((r) => `${r.action} ${r.decision}`);
    for (const a of ['template.create ok', 'template.update ok', 'template.update error', 'template.delete ok']) assert.ok(actions.includes(a), a);
  });

  test('the run form saves a template as a form post; the list in both faces; viewers may not create', async () => {
    const res = await form('POST', '/api/templates', { name: 'echo <b>', target: 'web01', target_type: 'glob', fun: 'test.echo', args_text: 'hello\n42', kwargs_text: 'k=v', batch: '', timeout: '' }, alice, HX);
    assert.equal(res.status, 201, await res.clone().text());
    assert.match(await res.text(), /Saved the template <strong>echo &lt;b><\/strong>/);
    const saved = (await list(alice)).data.find((t) => t.name === 'echo <b>')!;
    assert.deepEqual([saved.args, saved.kwargs, saved.batch, saved.timeout], [['hello', 42], { k: 'v' }, null, null]);
    const share = await form('PATCH', `/api/templates/${saved.id}`, { is_shared: 'true' }, alice, HX);
    assert.equal(share.status, 200);
    assert.match(await share.text(), /badge-ok">shared/);
    const frag = await (await ctx().app.request('/api/templates', { headers: { ...bob.get, ...HX } })).text();
    assert.match(frag, /echo &lt;b>/);
    assert.ok(!frag.includes('echo <b>'));
    const page = await ctx().app.request('/templates', { headers: { ...alice.get, Accept: 'text/html' } });
    assert.equal(page.status, 200);
    assert.match(await page.text(), new RegExp(`href="/run\\?template=${saved.id}"`));
    assert.equal((await send('POST', '/api/templates', { name: 'v', target: '*', fun: 'test.ping' }, viewer)).status, 403);
    assert.equal((await ctx().app.request('/api/templates', { headers: viewer.get })).status, 403);
  });
});
