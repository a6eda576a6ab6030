import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine } from '../../test/support/db.ts';
import { useTestApp } from '../../test/support/app.ts';
import { signInAdmin, userWithRoles } from '../../test/support/auth.ts';
import { ErrorBody } from '../http/problem.ts';
import { RolePublic, RolesPublic } from '../users/schemas.ts';
import { Me } from '../auth/schemas.ts';

describeEachEngine('roles', (engine) => {
  const ctx = useTestApp(engine);

  test('built-in roles are seeded with their permissions', async () => {
    const { app } = ctx();
    const admin = await signInAdmin(app);
    const roles = RolesPublic.parse(await (await app.request('/api/roles', { headers: admin.get })).json());
    assert.deepEqual(roles.data.filter((r) => r.builtin).map((r) => r.name).sort(), ['admin', 'operator', 'viewer']);
    const viewer = roles.data.find((r) => r.name === 'viewer')!;
    assert.ok(!viewer.permissions.some((p) => p.resource.startsWith('audit') || p.resource.startsWith('settings')));
  });

  test('a custom role from a form, its permissions replaced, then deleted', async () => {
    const { app, handle } = ctx();
    const admin = await signInAdmin(app);
    const created = await app.request('/api/roles', {
      method: 'POST',
      headers: { ...admin.get, 'X-CSRF-Token': admin.csrf, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ name: 'pinger', description: 'test.* only', permissions: 'run salt:test.*\nview job:*' }).toString(),
    });
    assert.equal(created.status, 201);
    const role = RolePublic.parse(await created.json());
    assert.deepEqual(role.permissions, [{ verb: 'run', resource: 'salt:test.*' }, { verb: 'view', resource: 'job:*' }]);

    const p = await userWithRoles(app, handle.db, 'pat', ['pinger']);
    const me = Me.parse(await (await app.request('/api/auth/me', { headers: p.get })).json());
    assert.equal(me.permissions.length, 2);

    const set = await app.request(`/api/roles/${role.id}/permissions`, { method: 'POST', headers: admin.json, body: JSON.stringify({ permissions: [{ verb: 'view', resource: 'minion:*' }] }) });
    assert.deepEqual(RolePublic.parse(await set.json()).permissions, [{ verb: 'view', resource: 'minion:*' }]);
    const me2 = Me.parse(await (await app.request('/api/auth/me', { headers: p.get })).json());
    assert.deepEqual(me2.permissions, [{ verb: 'view', resource: 'minion:*' }]);

    const del = await app.request(`/api/roles/${role.id}`, { method: 'DELETE', headers: admin.json });
    assert.equal(del.status, 200);
    assert.equal((await app.request(`/api/roles/${role.id}`, { headers: admin.get })).status, 404);
  });

  test('built-in roles cannot be changed or deleted; bad permissions are a 422', async () => {
    const { app } = ctx();
    const admin = await signInAdmin(app);
    const roles = RolesPublic.parse(await (await app.request('/api/roles', { headers: admin.get })).json());
    const viewer = roles.data.find((r) => r.name === 'viewer')!;
    const del = await app.request(`/api/roles/${viewer.id}`, { method: 'DELETE', headers: admin.json });
    assert.equal(del.status, 409);
    assert.equal(ErrorBody.parse(await del.json()).error, 'builtin_role');
    const bad = await app.request('/api/roles', { method: 'POST', headers: admin.json, body: JSON.stringify({ name: 'x', permissions: [{ verb: 'run', resource: '' }] }) });
    assert.equal(bad.status, 422);
    assert.equal(ErrorBody.parse(await bad.json()).fields?.[0].field, 'permissions.0.resource');
    const badName = await app.request('/api/roles', { method: 'POST', headers: admin.json, body: JSON.stringify({ name: 'Bad Name', permissions: [] }) });
    assert.equal(badName.status, 422);
  });
});
