/**
 * SaltApiClient against the salt-api simulator over real HTTP on 127.0.0.1: the single re-login
 * under concurrency, proactive refresh, the retry policy (with an injected sleep, so no real
 * backoff waits), 401 handling, unreachable and slow servers, and the error shapes.
 */
import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { startSimulator, type Simulator } from '../../sim/server.ts';
import { SaltApiClient, SaltApiError, SaltApiUnavailable, type SaltApiClientOptions } from './client.ts';

let sim: Simulator;

before(async () => {
  sim = await startSimulator({ minions: 20, presenceIntervalMs: 0 });
});
after(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.faults.clear();
});

function makeClient(extra: Partial<SaltApiClientOptions> = {}) {
  const delays: number[] = [];
  const client = new SaltApiClient({
    url: sim.url,
    username: 'saltdev',
    password: 'anything',
    eauth: 'auto',
    sleep: async (ms) => {
      delays.push(ms);
    },
    ...extra,
  });
  return { client, delays };
}

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('token handling (simulator)', () => {
  test('50 concurrent calls on an expired token make exactly one /login', async () => {
    const { client } = makeClient();
    await client.localCall('*', 'test.ping');
    sim.faults.expireTokens();
    const loginsBefore = sim.stats.logins;
    const results = await Promise.all(Array.from({ length: 50 }, () => client.localCall('*', 'test.ping')));
    assert.equal(sim.stats.logins - loginsBefore, 1);
    assert.equal(client.stats.logins, 2);
    for (const ret of results) assert.ok(Object.keys(ret).length > 0 && Object.values(ret).every((v) => v === true));
  });

  test('50 concurrent calls when the token is past its life locally make exactly one /login', async () => {
    let now = Date.now();
    const { client } = makeClient({ now: () => now });
    await client.login();
    now += 43_200_000;
    const loginsBefore = sim.stats.logins;
    await Promise.all(Array.from({ length: 50 }, () => client.localCall('*', 'test.ping')));
    assert.equal(sim.stats.logins - loginsBefore, 1);
    assert.equal(client.stats.retries, 0, 'no request was refused: the refresh happened first');
  });

  test('refreshes proactively under 60 s of token life, without a refused request', async () => {
    let now = Date.now();
    const { client } = makeClient({ now: () => now });
    await client.localCall('*', 'test.ping');
    const loginsBefore = sim.stats.logins;
    now += (43_200 - 61) * 1000;
    await client.localCall('*', 'test.ping');
    assert.equal(sim.stats.logins, loginsBefore, '61 s left: the token is still used');
    now += 2000;
    await client.localCall('*', 'test.ping');
    assert.equal(sim.stats.logins, loginsBefore + 1, '59 s left: logged in again first');
    assert.equal(client.stats.retries, 0);
  });

  test('a revoked token (salt-api restart): one re-login, one retry, success', async () => {
    const { client } = makeClient();
    await client.login();
    sim.faults.revokeTokens();
    const ret = await client.localCall('*', 'test.ping');
    assert.ok(Object.keys(ret).length > 0);
    assert.equal(client.stats.logins, 2);
    assert.equal(client.stats.retries, 1);
  });

  test('401 → one re-login, then the SaltApiError(401)', async () => {
    const { client } = makeClient();
    await client.login();
    sim.faults.failNext(2, 401);
    await assert.rejects(client.localCall('*', 'test.ping'), (e: unknown) => e instanceof SaltApiError && e.status === 401);
    assert.equal(client.stats.logins, 2);
  });

  test('bad credentials: SaltApiError(401) with the CherryPy page text, no retries', async () => {
    const { client, delays } = makeClient({ eauth: 'sharedsecret', password: 'wrong' });
    await assert.rejects(client.localCall('*', 'test.ping'), (e: unknown) => {
      assert.ok(e instanceof SaltApiError);
      assert.equal(e.status, 401);
      assert.equal(e.body, 'Could not authenticate using provided credentials');
      return true;
    });
    assert.deepEqual(delays, []);
  });
});

describe('retries (simulator)', () => {
  test('5xx is retried with backoff 0.5 s, 1 s, then succeeds', async () => {
    const { client, delays } = makeClient();
    await client.login();
    sim.faults.failNext(2, 503);
    assert.ok(Object.keys(await client.localCall('*', 'test.ping')).length > 0);
    assert.deepEqual(delays, [500, 1000]);
  });

  test('5xx after 3 retries is the SaltApiError; backoff caps at 4 s', async () => {
    const a = makeClient();
    await a.client.login();
    sim.faults.failNext(10, 500);
    await assert.rejects(a.client.runnerCall('manage.status'), (e: unknown) => {
      return e instanceof SaltApiError && e.status === 500 && e.body === 'An unexpected error occurred';
    });
    assert.deepEqual(a.delays, [500, 1000, 2000]);

    const b = makeClient({ maxRetries: 6 });
    await b.client.login();
    sim.faults.failNext(10, 500);
    await assert.rejects(b.client.runnerCall('manage.status'), SaltApiError);
    assert.deepEqual(b.delays, [500, 1000, 2000, 4000, 4000, 4000]);
  });

  test('local_async is not retried on 5xx (the job may have been published)', async () => {
    const { client, delays } = makeClient();
    await client.login();
    const before = sim.stats.byPath['/'] ?? 0;
    sim.faults.failNext(1, 500);
    await assert.rejects(client.localAsync('*', 'test.ping'), (e: unknown) => e instanceof SaltApiError && e.status === 500);
    assert.equal((sim.stats.byPath['/'] ?? 0) - before, 1);
    assert.deepEqual(delays, []);
    const job = await client.localAsync('*', 'test.ping');
    assert.match(job.jid, /^\d{20}$/);
    assert.ok(job.minions.length > 0);
  });

  test('connection resets are retried for calls', async () => {
    const { client, delays } = makeClient();
    await client.login();
    sim.faults.resetNext(2);
    assert.ok(Object.keys(await client.localCall('*', 'test.ping')).length > 0);
    assert.deepEqual(delays, [500, 1000]);
  });

  test('unreachable (closed port): SaltApiUnavailable after the retries', async () => {
    const port = await closedPort();
    const { client, delays } = makeClient({ url: `http://127.0.0.1:${port}` });
    await assert.rejects(client.localCall('*', 'test.ping'), (e: unknown) => {
      assert.ok(e instanceof SaltApiUnavailable);
      assert.match(e.message, /ECONNREFUSED \(4 attempts\)/);
      return true;
    });
    assert.deepEqual(delays, [500, 1000, 2000]);
  });

  test('total timeout (latency fault): SaltApiUnavailable', async () => {
    const { client, delays } = makeClient({ timeoutMs: 100, maxRetries: 1 });
    await client.login();
    sim.faults.latency(300);
    await assert.rejects(client.localCall('*', 'test.ping'), (e: unknown) => {
      return e instanceof SaltApiUnavailable && /timeout after 100 ms/.test(e.message);
    });
    assert.deepEqual(delays, [500]);
  });

  test('salt-api down, then up again (sessions lost): the client recovers by itself', async () => {
    const { client } = makeClient({ maxRetries: 1 });
    await client.login();
    await sim.faults.down();
    await assert.rejects(client.localCall('*', 'test.ping'), SaltApiUnavailable);
    await sim.faults.up();
    assert.ok(Object.keys(await client.localCall('*', 'test.ping')).length > 0);
    assert.equal(client.stats.logins, 2);
  });
});

describe('helpers (simulator)', () => {
  test('wheelCall unwraps key.list_all; success:false is a SaltApiError', async () => {
    const { client } = makeClient();
    const keys = (await client.wheelCall('key.list_all')) as Record<string, unknown>;
    assert.ok(Array.isArray(keys.minions) && Array.isArray(keys.minions_pre));
    await assert.rejects(client.wheelCall('key.nosuch'), (e: unknown) => {
      return e instanceof SaltApiError && e.status === 200 && /'key\.nosuch' is not available/.test(e.body);
    });
  });

  test('listConnectedMinions, localBatch, lookupJid and killJob', async () => {
    const { client } = makeClient();
    const present = await client.listConnectedMinions();
    assert.ok(Object.keys(present).length > 0);
    const batch = await client.localBatch('*', 'test.ping', { batch: '5' });
    assert.ok(Object.keys(batch).length > 0 && Object.values(batch).every((v) => v === true));
    const job = await client.localAsync('*', 'test.ping');
    const lookup = await client.lookupJid(job.jid);
    assert.equal(typeof lookup, 'object');
    const kill = await client.killJob(job.jid, job.minions[0]);
    assert.ok(job.minions[0] in kill);
  });

  test('logout clears the token; salt-api then refuses it and the client logs in again', async () => {
    const { client } = makeClient();
    await client.login();
    await client.logout();
    await client.logout(); // nothing to clear: no request, no error
    assert.ok(Object.keys(await client.localCall('*', 'test.ping')).length > 0);
    assert.equal(client.stats.logins, 2);
  });
});
