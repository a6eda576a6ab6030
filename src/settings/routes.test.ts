import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import { createServer } from 'node:net';
import { describeEachEngine } from '../../test/support/db.ts';
import { useTestApp } from '../../test/support/app.ts';
import { signInAdmin, userWithRoles, type TestSession } from '../../test/support/auth.ts';
import { startSimulator, type Simulator } from '../../sim/server.ts';
import { testSettings } from '../config.ts';
import { silentLogger } from '../log.ts';
import { RuntimeConfig, type RuntimeTimers } from '../runtime.ts';
import { settingsRoutes } from './routes.tsx';
import { AppSettings, SaltConnectionTestResult } from './schemas.ts';
import { updateSettings } from './service.ts';

const SECRET = 'the-salt-password-XYZ';

function manualTimers() {
  const pending = new Set<() => void>();
  const timers: RuntimeTimers = {
    setTimeout(fn) {
      pending.add(fn);
      return fn;
    },
    clearTimeout(h) {
      pending.delete(h as () => void);
    },
  };
  return { timers, fire: () => [...pending].forEach((fn) => (pending.delete(fn), fn())) };
}

const until = async (cond: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

/** A URL on 127.0.0.1 where nothing listens. */
async function closedPortUrl(): Promise<string> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

const rowsOf = (r: unknown) => ((r as { rows?: unknown[] }).rows ?? (r as unknown[])) as Record<string, unknown>[];

describeEachEngine('settings routes', (engine) => {
  const clock = manualTimers();
  const runtime = new RuntimeConfig({
    secretKey: testSettings().secretKey!, logger: silentLogger, timers: clock.timers, retireGraceMs: 0,
    clientOverrides: { maxRetries: 0, sleep: async () => {}, timeoutMs: 500 },
  });
  let polls = 0;
  runtime.registerPoller({ name: 'minions', intervalKey: 'minions_poll_interval_s', run: async (ctx) => void (await ctx.salt.listConnectedMinions(), polls++) });
  const t = useTestApp(engine, { deps: { runtime } });
  let sim: Simulator;
  let admin: TestSession;

  before(async () => {
    const { app } = t();
    if (!app.routes.some((r) => r.path === '/api/admin/settings')) app.route('/', settingsRoutes);
    sim = await startSimulator({ minions: 3, presenceIntervalMs: 0 });
    admin = await signInAdmin(app);
    await runtime.boot(t().handle.db);
  });
  after(async () => {
    await runtime.stop();
    await sim.close();
  });

  const put = (body: unknown, headers: Record<string, string> = admin.json) =>
    t().app.request('/api/admin/settings', { method: 'PUT', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  const formHeaders = () => ({ Cookie: admin.cookie, 'X-CSRF-Token': admin.csrf, 'Content-Type': 'application/x-www-form-urlencoded', 'HX-Request': 'true' });

  test('admin only: anonymous 401, operator 403', async () => {
    const { app, handle } = t();
    assert.equal((await app.request('/api/admin/settings')).status, 401);
    const op = await userWithRoles(app, handle.db, 'op1', ['operator']);
    assert.equal((await app.request('/api/admin/settings', { headers: op.get })).status, 403);
    assert.equal((await app.request('/api/admin/settings', { method: 'PUT', headers: op.json, body: '{}' })).status, 403);
    assert.equal((await app.request('/api/admin/settings/test-salt-saved', { method: 'POST', headers: op.json })).status, 403);
  });

  test('GET on a fresh install: defaults, no password, Salt unconfigured', async () => {
    const res = await t().app.request('/api/admin/settings', { headers: admin.get });
    assert.equal(res.status, 200);
    const s = AppSettings.parse(await res.json());
    assert.equal(s.salt_api_url, null);
    assert.equal(s.salt_api_password_set, false);
    assert.equal(s.minions_poll_interval_s, 60);
    assert.equal(s.run_confirm_threshold, 10);
    assert.equal(s.runtime.salt?.state, 'unconfigured');
  });

  test('invalid values: 422 naming each field and why', async () => {
    const res = await put({ salt_api_url: 'ftp://salt', minions_poll_interval_s: -1, jobs_poll_interval_s: 3, salt_api_eauth: 'bogus', nope: 1 });
    assert.equal(res.status, 422);
    const body = (await res.json()) as { fields: { field: string; message: string }[] };
    const by = Object.fromEntries(body.fields.map((f) => [f.field, f.message]));
    assert.match(by.salt_api_url!, /http:\/\/ or https:\/\//);
    assert.match(by.minions_poll_interval_s!, /must be 0 \(off\)/);
    assert.match(by.jobs_poll_interval_s!, /at least 5 s/);
    assert.match(by.salt_api_eauth!, /must be one of auto, pam/);
    assert.ok(body.fields.some((f) => /nope/.test(f.message) || f.field === 'nope'), 'unknown fields are refused');
  });

  test('a save applies at once: Salt connects without a restart; the password is never returned or logged', async () => {
    const res = await put({ salt_api_url: sim.url, salt_api_username: 'saltdev', salt_api_password: SECRET });
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.ok(!text.includes(SECRET));
    const s = AppSettings.parse(JSON.parse(text));
    assert.equal(s.salt_api_password_set, true);
    assert.equal(s.runtime.salt?.state, 'ok');
    assert.equal(runtime.status().state, 'ok');
    await until(() => polls >= 1);
    const { handle, logs } = t();
    const stored = rowsOf(await handle.db.execute(sql`select salt_api_password_enc from app_settings`))[0]!;
    assert.ok(!String(stored.salt_api_password_enc).includes(SECRET), 'encrypted at rest');
    const audits = rowsOf(await handle.db.execute(sql`select payload::text as p, detail from audit_log where action = 'settings.update'`));
    assert.equal(audits.length, 1);
    assert.ok(!String(audits[0]!.p).includes(SECRET));
    assert.match(String(audits[0]!.detail), /salt_api_password/, 'the audit says the password changed');
    assert.ok(!logs.join('\n').includes(SECRET), 'never in the logs');
    const page = await t().app.request('/settings', { headers: { ...admin.get, Accept: 'text/html' } });
    const html = await page.text();
    assert.equal(page.status, 200);
    assert.ok(!html.includes(SECRET));
    assert.match(html, /A password is stored/);
    assert.match(html, /connected/);
  });

  test('PUT is partial: only the fields sent change; "" keeps the password, null clears it', async () => {
    const before = AppSettings.parse(await (await t().app.request('/api/admin/settings', { headers: admin.get })).json());
    const res = await put({ jobs_poll_interval_s: 15, salt_api_password: '' });
    const s = AppSettings.parse(await res.json());
    assert.equal(s.jobs_poll_interval_s, 15);
    assert.equal(s.salt_api_password_set, true);
    for (const k of ['salt_api_url', 'salt_api_username', 'minions_poll_interval_s', 'event_stream_enabled', 'run_confirm_threshold'] as const) {
      assert.deepEqual(s[k], before[k], `${k} unchanged`);
    }
    const cleared = AppSettings.parse(await (await put({ clear_password: true })).json());
    assert.equal(cleared.salt_api_password_set, false);
    assert.equal(cleared.runtime.salt?.state, 'unconfigured');
    assert.match(cleared.runtime.salt?.message ?? '', /No salt-api password/);
    await put({ salt_api_password: SECRET });
    const nulled = AppSettings.parse(await (await put({ salt_api_password: null })).json());
    assert.equal(nulled.salt_api_password_set, false);
    const back = AppSettings.parse(await (await put({ salt_api_password: SECRET })).json());
    assert.equal(back.runtime.salt?.state, 'ok');
  });

  test('the htmx form: saved fragment, or the form again with its errors', async () => {
    const ok = await put(form({ run_confirm_threshold: '25', event_stream_enabled__present: '1', salt_api_password: '', _csrf: admin.csrf }), formHeaders());
    assert.equal(ok.status, 200);
    const html = await ok.text();
    assert.match(html, /^<section id="settings">/);
    assert.match(html, /Saved \(2 changes\)/, 'threshold, and the unchecked checkbox turned the stream off');
    const s = AppSettings.parse(await (await t().app.request('/api/admin/settings', { headers: admin.get })).json());
    assert.equal(s.run_confirm_threshold, 25);
    assert.equal(s.event_stream_enabled, false);
    assert.equal(s.salt_api_password_set, true, 'an empty password field keeps it');
    const bad = await put(form({ salt_api_timeout_s: '0', salt_api_url: 'nope"><b>x' }), formHeaders());
    assert.equal(bad.status, 422);
    const badHtml = await bad.text();
    assert.match(badHtml, /class="field-error">must be at least 1 s/);
    assert.match(badHtml, /value="nope&#34;><b>x"/, 'the submitted value comes back, escaped');
    assert.ok(!badHtml.includes('"><b>'), 'the quote cannot close the attribute');
  });

  test('test-salt tries submitted values without saving them', async () => {
    const req = (body: unknown, headers: Record<string, string> = admin.json) =>
      t().app.request('/api/admin/settings/test-salt', { method: 'POST', headers, body: JSON.stringify(body) });
    const good = SaltConnectionTestResult.parse(await (await req({ salt_api_url: sim.url, salt_api_username: 'saltdev', salt_api_password: 'x' })).json());
    assert.equal(good.ok, true);
    assert.deepEqual(good.steps.map((s) => [s.step, s.ok]), [['login', true], ['call', true]]);
    assert.match(good.steps[1]!.message, /3 accepted/);
    const refused = SaltConnectionTestResult.parse(await (await req({ salt_api_url: sim.url, salt_api_eauth: 'pam', salt_api_username: 'saltdev', salt_api_password: 'x' })).json());
    assert.equal(refused.ok, false);
    assert.match(refused.steps[0]!.message, /salt-api answered 401/);
    const closed = SaltConnectionTestResult.parse(await (await req({ salt_api_url: await closedPortUrl(), salt_api_username: 'saltdev', salt_api_password: 'x', salt_api_timeout_s: 2 })).json());
    assert.equal(closed.ok, false);
    assert.match(closed.steps[0]!.message, /ECONNREFUSED/);
    // Nothing was saved: the runtime still talks to the simulator with eauth auto.
    const s = AppSettings.parse(await (await t().app.request('/api/admin/settings', { headers: admin.get })).json());
    assert.equal(s.salt_api_url, sim.url);
    assert.equal(s.salt_api_eauth, 'auto');
    const frag = await t().app.request('/api/admin/settings/test-salt-saved', { method: 'POST', headers: { ...admin.json, 'HX-Request': 'true' } });
    assert.equal(frag.status, 200);
    assert.match(await frag.text(), /Connection works/);
  });

  test('the simulator down: banner and 503 status, then recovery by itself and the banner clears', async () => {
    const page = async () => (await t().app.request('/settings', { headers: { ...admin.get, Accept: 'text/html' } })).text();
    assert.doesNotMatch(await page(), /class="banner banner-/);
    await until(() => !runtime.pollerStatus().some((p) => p.running));
    await sim.faults.down();
    try {
      assert.equal(await runtime.runPoller('minions'), 'ran');
      assert.equal(runtime.status().state, 'unreachable');
      const html = await page();
      assert.match(html, /class="banner banner-error"/);
      assert.match(html, /salt-api is unreachable since/);
      const ready = (await (await t().app.request('/readyz')).json()) as { status: string; salt: { state: string } };
      assert.deepEqual([ready.status, ready.salt.state], ['ready', 'unreachable'], 'Salt down does not make Halite unready');
    } finally {
      await sim.faults.up();
    }
    clock.fire();
    await until(() => runtime.status().state === 'ok');
    assert.doesNotMatch(await page(), /class="banner banner-/);
  });

  test('a password that no longer decrypts is reported, never a crash', async () => {
    const { handle } = t();
    await updateSettings(handle.db, 'a-different-secret-key-0123456789abcdef!!', { salt_api_password: 'old' }, 'test');
    const s = AppSettings.parse(await (await t().app.request('/api/admin/settings', { headers: admin.get })).json());
    assert.equal(s.salt_api_password_set, false);
    assert.equal(s.salt_api_password_undecryptable, true);
    await runtime.reload(handle.db);
    assert.equal(runtime.status().state, 'unconfigured');
    assert.match(runtime.status().message ?? '', /no longer decrypts/);
    const html = await (await t().app.request('/settings', { headers: { ...admin.get, Accept: 'text/html' } })).text();
    assert.match(html, /no longer decrypts \(the secret key changed\): enter it again/);
    const fixed = AppSettings.parse(await (await put({ salt_api_password: SECRET })).json());
    assert.equal(fixed.salt_api_password_undecryptable, false);
    assert.equal(fixed.runtime.salt?.state, 'ok');
  });
});
