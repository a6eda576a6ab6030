/**
 * @module sim/faults.test
 * Fault injection, programmatic and over `/_sim/...`: 5xx for the next N requests (not /login
 * unless asked), latency, connection resets, revoked and expired tokens, dropped event streams,
 * down/up on the same port with tokens lost; plus request stats.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startSimulator, type Simulator } from './server.ts';
import { call, login, openEvents, rawRequest } from './testing.ts';

const ping = [{ client: 'local', tgt: '*', fun: 'test.ping' }];

describe('faults', () => {
  let sim: Simulator;
  before(async () => { sim = await startSimulator({ minions: 5, jobDurationMs: 1 }); });
  after(() => sim.close());
  beforeEach(() => { sim.faults.clear(); sim.resetStats(); });

  test('failNext answers 5xx in the CherryPy JSON shape, then recovers; /login is spared', async () => {
    const token = await login(sim.url);
    sim.faults.failNext(2, 503);
    assert.equal((await login(sim.url)).length, 40, '/login is not failed by default');
    for (let i = 0; i < 2; i++) {
      const r = await call(sim.url, token, ping);
      assert.equal(r.status, 503);
      assert.deepEqual(r.body, { status: 503, return: 'An unexpected error occurred' });
    }
    assert.equal((await call(sim.url, token, ping)).status, 200);
    sim.faults.failNext(1, 500, { includeLogin: true });
    await assert.rejects(login(sim.url), /login failed: 500/);
  });

  test('latency delays every response', async () => {
    const token = await login(sim.url);
    sim.faults.latency(120);
    const t = Date.now();
    await call(sim.url, token, [{ client: 'wheel', fun: 'key.list_all' }]);
    assert.ok(Date.now() - t >= 110);
    sim.faults.latency(0);
  });

  test('resetNext destroys the connection', async () => {
    sim.faults.resetNext(1);
    await assert.rejects(rawRequest(`${sim.url}/`, 'GET'), /socket hang up|ECONNRESET/);
    assert.equal((await rawRequest(`${sim.url}/`, 'GET')).status, 200);
  });

  test('revokeTokens gives 401 No permission; expireTokens gives 401 Authentication error', async () => {
    let token = await login(sim.url);
    sim.faults.revokeTokens();
    let r = await call(sim.url, token, ping);
    assert.equal(r.status, 401);
    assert.match(r.body, /<p>No permission -- see authorization schemes<\/p>/);
    token = await login(sim.url);
    sim.faults.expireTokens();
    r = await call(sim.url, token, ping);
    assert.equal(r.status, 401);
    assert.match(r.body, /<p>Authentication error occurred.<\/p>/);
    assert.equal((await call(sim.url, await login(sim.url), ping)).status, 200, 'new logins work');
  });

  test('dropEventStreams ends open /events responses', async () => {
    const stream = await openEvents(sim.url, `?token=${await login(sim.url)}`);
    await stream.until((t) => t.startsWith('retry: 400\n'));
    sim.faults.dropEventStreams();
    await stream.ended;
  });

  test('stats count requests, logins and paths', async () => {
    const token = await login(sim.url);
    await call(sim.url, token, ping);
    await rawRequest(`${sim.url}/keys`, 'GET', { 'X-Auth-Token': token });
    assert.equal(sim.stats.logins, 1);
    assert.equal(sim.stats.requests, 3);
    assert.deepEqual(sim.stats.byPath, { '/login': 1, '/': 1, '/keys': 1 });
  });

  test('down refuses connections on the same port; up listens again and sessions are lost', async () => {
    const token = await login(sim.url);
    await sim.faults.down();
    await assert.rejects(rawRequest(`${sim.url}/`, 'GET'), /ECONNREFUSED/);
    await sim.faults.up();
    assert.equal((await rawRequest(`${sim.url}/`, 'GET')).status, 200);
    assert.equal((await call(sim.url, token, ping)).status, 401, 'a restart forgets sessions');
  });

  test('the control API drives the same faults over HTTP', async () => {
    const post = (path: string, body: unknown = {}) => rawRequest(`${sim.url}/_sim${path}`, 'POST', { 'Content-Type': 'application/json' }, JSON.stringify(body));
    const token = await login(sim.url);
    assert.equal((await post('/faults/fail-next', { n: 1, status: 502 })).status, 200);
    assert.equal((await call(sim.url, token, ping)).status, 502);
    await post('/faults/reset-next', { n: 1 });
    await assert.rejects(rawRequest(`${sim.url}/`, 'GET'));
    const stats = JSON.parse((await rawRequest(`${sim.url}/_sim/stats`, 'GET')).body.toString());
    assert.equal(stats.logins, 1);
    assert.equal(stats.byPath['/'], 2, 'control requests are not counted');
    await post('/faults/clear');
    await post('/down-for', { ms: 150 });
    await new Promise((r) => setTimeout(r, 60));
    await assert.rejects(rawRequest(`${sim.url}/`, 'GET'), /ECONNREFUSED/);
    await new Promise((r) => setTimeout(r, 250));
    assert.equal((await rawRequest(`${sim.url}/`, 'GET')).status, 200);
    const fleet = JSON.parse((await rawRequest(`${sim.url}/_sim/fleet`, 'GET')).body.toString());
    assert.equal(fleet.size, 5);
    const stream = await openEvents(sim.url, `?token=${await login(sim.url)}`);
    await post('/emit', { tag: 'custom/thing', data: { a: 1 } });
    await stream.until((t) => t.includes('tag: custom/thing\ndata: {"data": {"a": 1, "_stamp": "'));
    stream.close();
  });
});

test('a user unknown to eauth auto logs in with perms {} and is refused everywhere', async () => {
  const sim = await startSimulator({ preset: 'lab' });
  try {
    const token = await login(sim.url, {}, 'mallory');
    const local = await call(sim.url, token, [{ client: 'local', tgt: '*', fun: 'test.ping' }]);
    assert.equal(local.status, 401);
    assert.match(local.body, /<p>Authorization error occurred.<\/p>/);
    for (const path of ['/jobs', '/keys']) {
      const r = await rawRequest(`${sim.url}${path}`, 'GET', { 'X-Auth-Token': token });
      assert.equal(r.status, 401, path);
      assert.match(r.body.toString(), /Authentication failure of type "token" occurred for user mallory./);
    }
    assert.equal((await rawRequest(`${sim.url}/minions`, 'GET', { 'X-Auth-Token': token })).status, 401);
  } finally {
    await sim.close();
  }
});
