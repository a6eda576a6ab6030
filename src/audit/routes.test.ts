import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine } from '../../test/support/db.ts';
import { useTestApp } from '../../test/support/app.ts';
import { signInAdmin, userWithRoles } from '../../test/support/auth.ts';
import { AuditPage } from './schemas.ts';

describeEachEngine('audit log', (engine) => {
  const ctx = useTestApp(engine);

  test('records allowed and denied decisions with user, request id and address; filters work', async () => {
    const { app, handle } = ctx();
    const admin = await signInAdmin(app);
    const v = await userWithRoles(app, handle.db, 'vera', ['viewer']);
    const denied = await app.request('/api/users', { headers: v.get }, { incoming: { socket: { remoteAddress: '10.3.0.7' } } });
    assert.equal(denied.status, 403);
    const requestId = denied.headers.get('X-Request-Id');

    const page = AuditPage.parse(await (await app.request('/api/audit?decision=deny&action=manage_user', { headers: admin.get })).json());
    const row = page.data.find((r) => r.request_id === requestId);
    assert.ok(row, 'the denial is in the log');
    assert.equal(row.username, 'vera');
    assert.equal(row.resource, 'user:*');
    assert.equal(row.client_addr, '10.3.0.7');
    assert.ok(page.data.every((r) => r.decision === 'deny' && r.action === 'manage_user'));

    const allowed = AuditPage.parse(await (await app.request('/api/audit?decision=allow&limit=5', { headers: admin.get })).json());
    assert.ok(allowed.data.length > 0 && allowed.data.length <= 5);
    assert.ok(allowed.data.every((r) => r.decision === 'allow'));

    const future = AuditPage.parse(await (await app.request('/api/audit?since=2999-01-01', { headers: admin.get })).json());
    assert.equal(future.data.length, 0);
  });

  test('bad filters are a 422 naming the field', async () => {
    const { app } = ctx();
    const admin = await signInAdmin(app);
    for (const [q, field] of [['limit=501', 'limit'], ['since=yesterday', 'since'], ['decision=maybe', 'decision'], ['offset=-1', 'offset']]) {
      const r = await app.request(`/api/audit?${q}`, { headers: admin.get });
      assert.equal(r.status, 422, q);
      assert.equal(((await r.json()) as { fields: { field: string }[] }).fields[0].field, field);
    }
  });

  test('the page and the fragment escape what users typed', async () => {
    const { app } = ctx();
    const admin = await signInAdmin(app);
    await app.request('/api/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: '<script>x()</script>', password: 'nope' }) });
    const frag = await app.request('/api/audit?action=login&decision=deny', { headers: { ...admin.get, 'HX-Request': 'true' } });
    const html = await frag.text();
    assert.match(html, /&lt;script>x\(\)&lt;\/script>/);
    assert.doesNotMatch(html, /<script>x/);
    const page = await app.request('/audit', { headers: { ...admin.get, Accept: 'text/html' } });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<h1>Audit log<\/h1>/);
  });

  test('a viewer cannot read the audit log', async () => {
    const { app, handle } = ctx();
    const v = await userWithRoles(app, handle.db, 'vince', ['viewer']);
    assert.equal((await app.request('/api/audit', { headers: v.get })).status, 403);
  });
});
