import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createApp } from '../main.ts';
import { testSettings } from '../config.ts';
import { silentLogger } from '../log.ts';
import type { Db } from '../db/types.ts';
import type { Runtime, SaltStatus } from '../runtime-types.ts';
import type { SaltApiClient } from './client.ts';
import { SaltApiError, SaltApiUnavailable } from './errors.ts';
import { saltClientOr503, withSalt, wrapSaltErrors } from './deps.ts';

const noDb = new Proxy({}, { get: () => { throw new Error('no database in this test'); } }) as Db;

function appWith(runtime: Runtime | undefined, call: (salt: SaltApiClient) => Promise<unknown>) {
  const app = createApp(testSettings(), { db: noDb, logger: silentLogger, assets: new Map(), runtime });
  app.get('/api/probe', async (c) => c.json({ got: await withSalt(c, call) }));
  app.get('/api/client', (c) => c.json({ same: saltClientOr503(c) === runtime?.salt }));
  return app;
}

const status = (s: Partial<SaltStatus>): SaltStatus => ({ state: 'ok', message: null, since: '2026-11-25T01:00:00.000Z', nextRetryAt: null, ...s });
const fakeClient = {} as SaltApiClient;
const rt = (salt: SaltApiClient | null, s: SaltStatus): Runtime => ({ salt, status: () => s });
const FRAGMENT = { 'HX-Request': 'true' };

test('the current client is handed out when connected', async () => {
  const res = await appWith(rt(fakeClient, status({})), async () => 1).request('/api/client');
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { same: true });
});

test('no runtime or unconfigured: 503 that points at the settings', async () => {
  for (const runtime of [undefined, rt(null, status({ state: 'unconfigured' }))]) {
    const res = await appWith(runtime, async () => 1).request('/api/probe');
    assert.equal(res.status, 503);
    const body = (await res.json()) as { message: string };
    assert.match(body.message, /Salt is not configured/);
  }
});

test('login failed or unreachable: 503 with the reason and the next retry, in both faces', async () => {
  const failing = rt(null, status({ state: 'login_failed', message: 'salt-api answered 401: Could not authenticate', nextRetryAt: '2026-11-25T01:00:04.000Z' }));
  const json = await appWith(failing, async () => 1).request('/api/probe');
  assert.equal(json.status, 503);
  assert.match(((await json.json()) as { message: string }).message, /refused Halite's login \(salt-api answered 401: Could not authenticate\)\. Halite tries again at 2026-11-25T01:00:04/);
  const down = rt(null, status({ state: 'unreachable', message: 'ECONNREFUSED <x>' }));
  const frag = await appWith(down, async () => 1).request('/api/probe', { headers: FRAGMENT });
  assert.equal(frag.status, 503);
  const html = await frag.text();
  assert.match(html, /role="alert"/);
  assert.match(html, /Salt is unavailable/);
  assert.match(html, /unreachable since 2026-11-25T01:00:00.000Z \(ECONNREFUSED &lt;x>\)/, 'escaped');
});

test('SaltApiUnavailable during a call is 503; SaltApiError is 502 with salt-api text', async () => {
  const ok = rt(fakeClient, status({}));
  const r503 = await appWith(ok, async () => { throw new SaltApiUnavailable('salt-api at http://x unavailable: timeout after 30000 ms (4 attempts)'); }).request('/api/probe');
  assert.equal(r503.status, 503);
  assert.match(((await r503.json()) as { message: string }).message, /timeout after 30000 ms/);
  const r502 = await appWith(ok, async () => { throw new SaltApiError(500, 'An unexpected error occurred'); }).request('/api/probe', { headers: FRAGMENT });
  assert.equal(r502.status, 502);
  const html = await r502.text();
  assert.match(html, /Salt answered with an error/);
  assert.match(html, /salt-api 500: An unexpected error occurred/);
});

test('other errors are not disguised as Salt errors', async () => {
  const res = await appWith(rt(fakeClient, status({})), async () => { throw new TypeError('bug'); }).request('/api/probe');
  assert.equal(res.status, 500);
  assert.throws(() => wrapSaltErrors(new RangeError('x')), RangeError);
});

test('a failed call tells the runtime, so the status shows the outage at once', async () => {
  const seen: unknown[] = [];
  const runtime: Runtime = { ...rt(fakeClient, status({})), noteSaltFailure: (e) => seen.push(e) };
  const down = new SaltApiUnavailable('salt-api at http://x unavailable: ECONNREFUSED (1 attempt)');
  const res = await appWith(runtime, async () => { throw down; }).request('/api/probe');
  assert.equal(res.status, 503);
  assert.deepEqual(seen, [down]);
});
