/**
 * Secrets never reach the audit log or the logs: after a full sign-in, a password change, user
 * administration and a settings save, every audit row and every log line is searched for the
 * passwords, the session token and the anti-forgery token.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine } from './support/db.ts';
import { useTestApp } from './support/app.ts';
import { auditLog } from '../src/auth/model.ts';
import { PermissionCache } from '../src/rbac/service.ts';
import { createUser } from '../src/users/service.ts';

describeEachEngine('secrets stay out of the audit log and the logs', (engine) => {
  const ctx = useTestApp(engine);

  test('after sign-in, password change, user admin and settings save', async () => {
    const { app, handle, logs } = ctx();
    const secrets = ['changeme', 'n3w-Admin-Passw0rd!', 'reset-Pa55word-xyz', 'b0b-initial-Passw0rd', 'salt-api-Secret-9'];
    const post = (path: string, headers: Record<string, string>, body: unknown, method = 'POST') =>
      app.request(path, { method, headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

    // Sign in with the bootstrap password, then change it.
    const login = await post('/api/auth/login', {}, { username: 'admin', password: 'changeme' });
    assert.equal(login.status, 200);
    const cookie = /halite_session=([^;]+)/.exec(login.headers.get('Set-Cookie')!)!;
    const { csrf_token } = (await login.json()) as { csrf_token: string };
    secrets.push(cookie[1], csrf_token);
    const h = { Cookie: cookie[0], 'X-CSRF-Token': csrf_token };
    assert.equal((await post('/api/auth/password', h, { current_password: 'changeme', new_password: secrets[1] })).status, 200);
    // A wrong password is audited too — without the password.
    await post('/api/auth/login', {}, { username: 'admin', password: 'wrong-guess-Secret' });
    secrets.push('wrong-guess-Secret');

    // User administration with passwords in the payload.
    const created = await post('/api/users', h, { username: 'bob', password: secrets[3], roles: ['viewer'] });
    assert.equal(created.status, 201);
    const bob = (await created.json()) as { id: number };
    assert.equal((await post(`/api/users/${bob.id}/password`, h, { password: secrets[2] })).status, 200);
    await createUser(handle.db, new PermissionCache(), { username: 'carol', password: 'carol-initial-pw-1', roles: [] });

    // A settings save with the salt-api password, when the settings feature is mounted.
    const settings = await post('/api/admin/settings', h, { salt_api_url: 'http://127.0.0.1:9', salt_api_username: 'halite', salt_api_password: secrets[4], salt_api_eauth: 'auto' }, 'PUT');
    assert.ok([200, 404].includes(settings.status), `settings save: ${settings.status}`);
    if (settings.status === 200) assert.doesNotMatch(await settings.text(), new RegExp(secrets[4]));

    const rows = await handle.db.select().from(auditLog);
    assert.ok(rows.length >= 5, 'the actions were audited');
    const audited = JSON.stringify(rows);
    const logged = logs.join('\n');
    for (const s of secrets) {
      assert.ok(!audited.includes(s), `the audit log contains a secret (${s.slice(0, 3)}…)`);
      assert.ok(!logged.includes(s), `the logs contain a secret (${s.slice(0, 3)}…)`);
    }
    assert.ok(audited.includes('[redacted]'), 'payload passwords are redacted, not dropped silently');
  });
});
