import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine } from '../../test/support/db.ts';
import { useTestApp } from '../../test/support/app.ts';
import { ADMIN_PASSWORD, signInAdmin, signInAs } from '../../test/support/auth.ts';
import { Me } from './schemas.ts';
import { ErrorBody } from '../http/problem.ts';
import { auditLog } from './model.ts';

const env = (addr: string) => ({ incoming: { socket: { remoteAddress: addr } } });
const json = (body: unknown) => ({ method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

describeEachEngine('sign-in and the bootstrap admin', (engine) => {
  const ctx = useTestApp(engine);

  test('anonymous: the API answers 401, pages redirect to sign-in', async () => {
    const { app } = ctx();
    const api = await app.request('/api/auth/me');
    assert.equal(api.status, 401);
    assert.equal(ErrorBody.parse(await api.json()).error, 'unauthenticated');
    const page = await app.request('/?x=1', { headers: { Accept: 'text/html' } });
    assert.equal(page.status, 302);
    assert.equal(page.headers.get('Location'), '/login?next=%2F%3Fx%3D1');
    const login = await app.request('/login', { headers: { Accept: 'text/html' } });
    assert.equal(login.status, 200);
    assert.match(await login.text(), /<form id="login-form"/);
  });

  test('bootstrap admin must change the password before anything else', async () => {
    const { app } = ctx();
    const s = await signInAs(app, 'admin', 'changeme');
    const me = await app.request('/api/auth/me', { headers: s.get });
    assert.equal(me.status, 403);
    assert.equal(ErrorBody.parse(await me.json()).error, 'password_change_required');
    const home = await app.request('/', { headers: { ...s.get, Accept: 'text/html' } });
    assert.equal(home.status, 302);
    assert.equal(home.headers.get('Location'), '/account/password');
    const page = await app.request('/account/password', { headers: { ...s.get, Accept: 'text/html' } });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /still has its initial password/);

    // The rules: 12 characters, not the username.
    for (const [pw, msg] of [['short', /at least 12 characters/], ['adminADMINadmin'.slice(0, 5), /at least 12/]] as const) {
      const r = await app.request('/api/auth/password', { method: 'POST', headers: s.json, body: JSON.stringify({ current_password: 'changeme', new_password: pw }) });
      assert.equal(r.status, 422);
      assert.match(JSON.stringify(await r.json()), msg);
    }
    const wrong = await app.request('/api/auth/password', { method: 'POST', headers: s.json, body: JSON.stringify({ current_password: 'nope', new_password: ADMIN_PASSWORD }) });
    assert.equal(wrong.status, 422);
    assert.deepEqual(ErrorBody.parse(await wrong.json()).fields?.[0].field, 'current_password');

    const ok = await app.request('/api/auth/password', { method: 'POST', headers: s.json, body: JSON.stringify({ current_password: 'changeme', new_password: ADMIN_PASSWORD }) });
    assert.equal(ok.status, 200);
    const after = await app.request('/api/auth/me', { headers: s.get });
    assert.equal(after.status, 200);
    const body = Me.parse(await after.json());
    assert.equal(body.must_change_pw, false);
    assert.deepEqual(body.permissions, [{ verb: '**', resource: '**' }]);
  });

  test('a form sign-in redirects to next; the cookie is HttpOnly, SameSite=Lax, 8 h', async () => {
    const { app } = ctx();
    const res = await app.request('/api/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'http://localhost' },
      body: new URLSearchParams({ username: 'admin', password: ADMIN_PASSWORD, next: '/audit' }).toString(),
    });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('Location'), '/audit');
    const cookie = res.headers.get('Set-Cookie') ?? '';
    assert.match(cookie, /halite_session=[a-z2-7]+/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/);
    assert.match(cookie, /Max-Age=28800/);
    assert.doesNotMatch(cookie, /Secure/);
    // An open redirect is not possible through next.
    const evil = await app.request('/api/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'admin', password: ADMIN_PASSWORD, next: '//evil.example/x' }).toString(),
    });
    assert.equal(evil.headers.get('Location'), '/');
  });

  test('a wrong password: 401 JSON, or the form again with a message for htmx', async () => {
    const { app } = ctx();
    const res = await app.request('/api/auth/login', json({ username: 'admin', password: 'wrong' }), env('10.9.0.1'));
    assert.equal(res.status, 401);
    assert.equal(ErrorBody.parse(await res.json()).error, 'invalid_credentials');
    const frag = await app.request(
      '/api/auth/login',
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'HX-Request': 'true' },
        body: 'username=%22%3E%3Cb%3Eadmin&password=wrong',
      },
      env('10.9.0.2'),
    );
    assert.equal(frag.status, 401);
    const html = await frag.text();
    assert.match(html, /Wrong username or password/);
    // The quote is escaped, so the value cannot break out of its attribute.
    assert.match(html, /value="&#34;><b>admin"/);
  });

  test('bad input is a 422 naming the field', async () => {
    const { app } = ctx();
    const res = await app.request('/api/auth/login', json({ username: '' }));
    assert.equal(res.status, 422);
    const fields = ErrorBody.parse(await res.json()).fields!.map((f) => f.field).sort();
    assert.deepEqual(fields, ['password', 'username']);
    const none = await app.request('/api/auth/login', { method: 'POST' });
    assert.equal(none.status, 422);
  });

  test('repeated failures are throttled per username (429 + Retry-After) and audited', async () => {
    const { app, handle } = ctx();
    for (let i = 0; i < 5; i++) {
      const r = await app.request('/api/auth/login', json({ username: 'victim', password: `guess${i}` }), env(`10.1.0.${i}`));
      assert.equal(r.status, 401);
    }
    const blocked = await app.request('/api/auth/login', json({ username: 'victim', password: 'guess' }), env('10.1.0.99'));
    assert.equal(blocked.status, 429);
    assert.ok(Number(blocked.headers.get('Retry-After')) > 0);
    const rows = await handle.db.select().from(auditLog);
    const denied = rows.filter((r) => r.action === 'login' && r.username === 'victim' && r.decision === 'deny');
    assert.equal(denied.length, 6);
    assert.match(denied.at(-1)!.detail ?? '', /throttled/);
    assert.equal(denied[0].clientAddr, '10.1.0.0');
  });

  test('repeated failures are throttled per client address across usernames', async () => {
    const { app } = ctx();
    let last = 0;
    for (let i = 0; i < 21; i++) {
      const r = await app.request('/api/auth/login', json({ username: `spray${i}`, password: 'x' }), env('10.2.0.1'));
      last = r.status;
    }
    assert.equal(last, 429);
    // Another address is not affected.
    const other = await app.request('/api/auth/login', json({ username: 'spray0', password: 'x' }), env('10.2.0.2'));
    assert.equal(other.status, 401);
  });

  test('logout ends the session', async () => {
    const { app } = ctx();
    const s = await signInAdmin(app);
    const out = await app.request('/api/auth/logout', { method: 'POST', headers: s.json });
    assert.equal(out.status, 200);
    assert.equal((await app.request('/api/auth/me', { headers: s.get })).status, 401);
  });

  test('CSRF: a cross-site form post and a post without the token are refused', async () => {
    const { app } = ctx();
    const s = await signInAdmin(app);
    const crossSite = await app.request('http://localhost/api/auth/logout', {
      method: 'POST',
      headers: { Cookie: s.cookie, Origin: 'https://evil.example', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `_csrf=${s.csrf}`,
    });
    assert.equal(crossSite.status, 403);
    assert.equal(ErrorBody.parse(await crossSite.json()).error, 'csrf_origin');
    const noToken = await app.request('http://localhost/api/auth/logout', {
      method: 'POST',
      headers: { Cookie: s.cookie, Origin: 'http://localhost' },
    });
    assert.equal(noToken.status, 403);
    assert.equal(ErrorBody.parse(await noToken.json()).error, 'csrf_token');
    const formToken = await app.request('http://localhost/api/auth/logout', {
      method: 'POST',
      headers: { Cookie: s.cookie, Origin: 'http://localhost', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `_csrf=${s.csrf}`,
    });
    assert.equal(formToken.status, 303);
  });
});
