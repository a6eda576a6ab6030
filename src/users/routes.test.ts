import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine } from '../../test/support/db.ts';
import { useTestApp } from '../../test/support/app.ts';
import { signInAdmin, signInAs, userWithRoles } from '../../test/support/auth.ts';
import { ErrorBody } from '../http/problem.ts';
import { UserPublic, UsersPublic } from './schemas.ts';
import { Me } from '../auth/schemas.ts';

describeEachEngine('users', (engine) => {
  const ctx = useTestApp(engine);

  test('an admin creates a user; the user must change the password at first sign-in', async () => {
    const { app } = ctx();
    const admin = await signInAdmin(app);
    const res = await app.request('/api/users', {
      method: 'POST',
      headers: admin.json,
      body: JSON.stringify({ username: 'olga', display_name: 'Olga Ops', password: 'initial-password-1', roles: ['operator'] }),
    });
    assert.equal(res.status, 201);
    const user = UserPublic.parse(await res.json());
    assert.deepEqual(user.roles, ['operator']);
    assert.equal(user.must_change_pw, true);
    const olga = await signInAs(app, 'olga', 'initial-password-1');
    assert.equal((await app.request('/api/auth/me', { headers: olga.get })).status, 403);

    const dup = await app.request('/api/users', { method: 'POST', headers: admin.json, body: JSON.stringify({ username: 'olga', password: 'another-password-1', roles: [] }) });
    assert.equal(dup.status, 409);
  });

  test('bad input: 422 with the field and the reason, nothing written', async () => {
    const { app } = ctx();
    const admin = await signInAdmin(app);
    const cases: [unknown, string][] = [
      [{ username: 'bad name', password: 'long-enough-pass', roles: [] }, 'username'],
      [{ username: 'shorty', password: 'short', roles: [] }, 'password'],
      [{ username: 'samepw', password: 'samepw', roles: [] }, 'password'],
      [{ username: 'norole', password: 'long-enough-pass', roles: ['nosuchrole'] }, 'roles'],
    ];
    for (const [body, field] of cases) {
      const r = await app.request('/api/users', { method: 'POST', headers: admin.json, body: JSON.stringify(body) });
      assert.equal(r.status, 422, JSON.stringify(body));
      assert.equal(ErrorBody.parse(await r.json()).fields?.[0].field, field);
    }
    const all = UsersPublic.parse(await (await app.request('/api/users', { headers: admin.get })).json());
    assert.ok(!all.data.some((u) => ['shorty', 'samepw', 'norole'].includes(u.username)));
  });

  test('the htmx face: the list is a table, a bad form comes back with its errors', async () => {
    const { app } = ctx();
    const admin = await signInAdmin(app);
    const list = await app.request('/api/users', { headers: { ...admin.get, 'HX-Request': 'true' } });
    assert.match(await list.text(), /<table id="users-table">[\s\S]*admin/);
    const form = await app.request('/api/users', {
      method: 'POST',
      headers: { ...admin.get, 'X-CSRF-Token': admin.csrf, 'HX-Request': 'true', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'username=%3Cimg%3E&password=x',
    });
    assert.equal(form.status, 422);
    const html = await form.text();
    assert.match(html, /id="user-create"/);
    assert.match(html, /class="field-error"/);
  });

  test('disable ends sessions; roles change takes effect at once; the last admin is protected', async () => {
    const { app, handle } = ctx();
    const admin = await signInAdmin(app);
    const vic = await userWithRoles(app, handle.db, 'vic', ['viewer']);
    const meBefore = Me.parse(await (await app.request('/api/auth/me', { headers: vic.get })).json());
    assert.ok(!meBefore.permissions.some((p) => p.verb === 'run'));
    const users = UsersPublic.parse(await (await app.request('/api/users', { headers: admin.get })).json());
    const vicId = users.data.find((u) => u.username === 'vic')!.id;
    const adminId = users.data.find((u) => u.username === 'admin')!.id;

    const promote = await app.request(`/api/users/${vicId}`, { method: 'PATCH', headers: admin.json, body: JSON.stringify({ roles: ['operator'] }) });
    assert.equal(promote.status, 200);
    const meAfter = Me.parse(await (await app.request('/api/auth/me', { headers: vic.get })).json());
    assert.ok(meAfter.permissions.some((p) => p.verb === 'run'), 'the permission cache was invalidated');

    const lastAdmin = await app.request(`/api/users/${adminId}`, { method: 'PATCH', headers: admin.json, body: JSON.stringify({ enabled: false }) });
    assert.equal(lastAdmin.status, 422);
    assert.match(ErrorBody.parse(await lastAdmin.json()).message, /last enabled admin/);

    const disable = await app.request(`/api/users/${vicId}`, { method: 'PATCH', headers: admin.json, body: JSON.stringify({ enabled: false }) });
    assert.equal(UserPublic.parse(await disable.json()).enabled, false);
    assert.equal((await app.request('/api/auth/me', { headers: vic.get })).status, 401);
    await assert.rejects(() => signInAs(app, 'vic', 'vic-password-123'));

    assert.equal((await app.request('/api/users/99999', { method: 'PATCH', headers: admin.json, body: '{}' })).status, 404);
    assert.equal((await app.request('/api/users/abc', { method: 'PATCH', headers: admin.json, body: '{}' })).status, 422);
  });

  test("an admin reset ends the user's sessions and forces a change", async () => {
    const { app, handle } = ctx();
    const admin = await signInAdmin(app);
    const rita = await userWithRoles(app, handle.db, 'rita', ['viewer']);
    const id = UsersPublic.parse(await (await app.request('/api/users', { headers: admin.get })).json()).data.find((u) => u.username === 'rita')!.id;
    const r = await app.request(`/api/users/${id}/password`, { method: 'POST', headers: admin.json, body: JSON.stringify({ password: 'reset-password-42' }) });
    assert.equal(r.status, 200);
    assert.equal(UserPublic.parse(await r.json()).must_change_pw, true);
    assert.equal((await app.request('/api/auth/me', { headers: rita.get })).status, 401);
    const again = await signInAs(app, 'rita', 'reset-password-42');
    assert.equal((await app.request('/api/auth/me', { headers: again.get })).status, 403);
  });

  test('a viewer cannot manage users: 403 JSON and an inline message for htmx', async () => {
    const { app, handle } = ctx();
    const v = await userWithRoles(app, handle.db, 'val', ['viewer']);
    const r = await app.request('/api/users', { headers: v.get });
    assert.equal(r.status, 403);
    assert.equal(ErrorBody.parse(await r.json()).error, 'forbidden');
    const f = await app.request('/api/users', { headers: { ...v.get, 'HX-Request': 'true' } });
    assert.equal(f.status, 403);
    assert.match(await f.text(), /role="alert"[\s\S]*manage_user on user:\*/);
  });
});
