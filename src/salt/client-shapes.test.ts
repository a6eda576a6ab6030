/**
 * SaltApiClient against the recorded salt-api answers (Salt 3007.14): request shapes, response
 * unwrapping, error mapping and the retry policy, without a server.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { SaltApiClient, SaltApiError, SaltApiUnavailable, type SaltApiClientOptions } from './client.ts';
import { networkError, recording, replayFetch, type ReplayStep } from './replay.testkit.ts';

const LOGIN_TOKEN = (recording('login-json').response.body as { return: [{ token: string }] }).return[0].token;

function makeClient(steps: ReplayStep[], extra: Partial<SaltApiClientOptions> = {}) {
  const replay = replayFetch(steps);
  const delays: number[] = [];
  const logs: string[] = [];
  const client = new SaltApiClient({
    url: 'http://salt.test:8000/',
    username: 'saltdev',
    password: 'hunter2-secret',
    eauth: 'auto',
    fetch: replay.fetch,
    sleep: async (ms) => {
      delays.push(ms);
    },
    logger: {
      warn: (msg, fields) => logs.push(`${msg} ${JSON.stringify(fields ?? {})}`),
      info: (msg, fields) => logs.push(`${msg} ${JSON.stringify(fields ?? {})}`),
    },
    ...extra,
  });
  return { client, seen: replay.seen, delays, logs };
}

const json = (status: number, body: unknown) => () =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('SaltApiClient request shapes', () => {
  test('logs in lazily, then sends the lowstate with the token and JSON headers', async () => {
    const { client, seen, logs } = makeClient(['login-json', 'local-test.ping']);
    assert.equal(client.url, 'http://salt.test:8000');
    assert.equal(seen.length, 0, 'no request before first use');
    const ret = await client.localCall('*', 'test.ping');
    assert.deepEqual(ret, { web02: true, web01: true });
    assert.equal(seen[0].url, 'http://salt.test:8000/login');
    assert.deepEqual(seen[0].body, { username: 'saltdev', password: 'hunter2-secret', eauth: 'auto' });
    assert.equal(seen[1].url, 'http://salt.test:8000/');
    assert.equal(seen[1].method, 'POST');
    assert.deepEqual(seen[1].body, [{ client: 'local', tgt: '*', fun: 'test.ping' }]);
    assert.equal(seen[1].headers['x-auth-token'], LOGIN_TOKEN);
    assert.equal(seen[1].headers.accept, 'application/json');
    assert.equal(seen[1].headers['content-type'], 'application/json');
    assert.equal(client.stats.logins, 1);
    const logged = logs.join('\n');
    assert.ok(!logged.includes('hunter2-secret') && !logged.includes(LOGIN_TOKEN), 'no secrets in logs');
  });

  test('localCall maps options to Salt lowstate keys; a list target gets tgt_type list', async () => {
    const { client, seen } = makeClient(['login-json', 'local-grains.item-list-target']);
    const ret = await client.localCall(['web01', 'web02'], 'grains.item', {
      arg: ['os', 'roles', 'saltlab'],
      kwarg: { k: 1 },
      timeout: 5,
      fullReturn: true,
    });
    assert.deepEqual(ret.web01, { os: 'Debian', roles: ['web'], saltlab: true });
    assert.deepEqual(seen[1].body, [
      { client: 'local', tgt: ['web01', 'web02'], fun: 'grains.item', tgt_type: 'list', arg: ['os', 'roles', 'saltlab'], kwarg: { k: 1 }, timeout: 5, full_return: true },
    ]);
  });

  test('localCall keeps per-minion error strings (200-with-a-string) as values', async () => {
    const { client } = makeClient(['login-json', 'local-unknown-function']);
    const ret = await client.localCall('*', 'test.nosuchfunction');
    assert.equal(ret.web01, "'test.nosuchfunction' is not available.");
  });

  test('localAsync returns jid and minions', async () => {
    const { client, seen } = makeClient(['login-json', 'local_async-test.sleep']);
    const ret = await client.localAsync('*', 'test.sleep', { arg: [30], batch: '10%' });
    assert.deepEqual(ret, { jid: '20261124152927516581', minions: ['web01', 'web02'] });
    assert.deepEqual(seen[1].body, [{ client: 'local_async', tgt: '*', fun: 'test.sleep', arg: [30], batch: '10%' }]);
  });

  test('localAsync with no job started ([{}]) is a SaltApiError', async () => {
    const { client } = makeClient(['login-json', 'local-no-minions-matched']);
    await assert.rejects(client.localAsync('nomatch*', 'test.ping'), SaltApiError);
  });

  test('localBatch flattens [{mid: ret}, ...] into one map', async () => {
    const { client, seen } = makeClient(['login-json', 'local_batch-test.ping']);
    assert.deepEqual(await client.localBatch('*', 'test.ping', { batch: '1' }), { web01: true, web02: true });
    assert.deepEqual(seen[1].body, [{ client: 'local_batch', tgt: '*', fun: 'test.ping', batch: '1' }]);
  });

  test('wheelCall unwraps return[0].data.return and sends kwargs at the top level', async () => {
    const { client, seen } = makeClient(['login-json', 'wheel-key.reject-db01']);
    const ret = await client.wheelCall('key.reject', { match: 'db01', include_accepted: true });
    assert.deepEqual(ret, { minions_rejected: ['db01'] });
    assert.deepEqual(seen[1].body, [{ match: 'db01', include_accepted: true, client: 'wheel', fun: 'key.reject' }]);
  });

  test('wheelCall with success:false is a SaltApiError carrying the traceback', async () => {
    const { client } = makeClient(['login-json', 'wheel-unknown-function']);
    await assert.rejects(client.wheelCall('key.nosuch'), (e: unknown) => {
      assert.ok(e instanceof SaltApiError);
      assert.equal(e.status, 200);
      assert.match(e.body, /'key\.nosuch' is not available/);
      assert.match(e.message, /wheel key\.nosuch failed: Exception occurred in wheel key\.nosuch/);
      return true;
    });
  });

  test('runnerCall returns the runner value as is, with arg and kwarg', async () => {
    const { client, seen } = makeClient(['login-json', 'runner-test.arg-kwarg']);
    assert.deepEqual(await client.runnerCall('test.arg', { k: 'v' }, ['a', 1]), { args: ['a', 1], kwargs: { k: 'v' } });
    assert.deepEqual(seen[1].body, [{ client: 'runner', fun: 'test.arg', arg: ['a', 1], kwarg: { k: 'v' } }]);
  });

  test('listConnectedMinions asks manage.present for IPs and accepts both reply shapes', async () => {
    const { client, seen } = makeClient([
      'login-json',
      json(200, { return: [{ web01: '10.0.0.1', web02: '10.0.0.2' }] }),
      'runner-manage.present',
    ]);
    assert.deepEqual(await client.listConnectedMinions(), { web01: '10.0.0.1', web02: '10.0.0.2' });
    assert.deepEqual(seen[1].body, [{ client: 'runner', fun: 'manage.present', kwarg: { show_ip: true } }]);
    // The recorded reply without show_ip is a list of ids.
    assert.deepEqual(await client.listConnectedMinions(), { web01: '', web02: '' });
  });

  test('lookupJid returns the raw value; killJob sends saltutil.kill_job', async () => {
    const { client, seen } = makeClient(['login-json', 'runner-jobs.lookup_jid-state.apply', 'local-saltutil.kill_job']);
    const job = await client.lookupJid('20261124152935251082');
    assert.equal(job.outputter, 'highstate');
    assert.deepEqual(seen[1].body, [{ client: 'runner', fun: 'jobs.lookup_jid', arg: ['20261124152935251082'] }]);
    const kill = await client.killJob('20261124152927516581');
    assert.match(String(kill.web01), /^Signal 9 sent to job/);
    assert.deepEqual(seen[2].body, [{ client: 'local', tgt: '*', fun: 'saltutil.kill_job', arg: ['20261124152927516581'] }]);
  });

  test('logout clears the token (no body, no Content-Type); the next call logs in again', async () => {
    const { client, seen } = makeClient(['login-json', 'logout-POST', 'login-json', 'local-test.ping']);
    await client.login();
    await client.logout();
    assert.equal(seen[1].url, 'http://salt.test:8000/logout');
    assert.equal(seen[1].headers['content-type'], undefined);
    assert.equal(seen[1].headers['x-auth-token'], LOGIN_TOKEN);
    await client.localCall('*', 'test.ping');
    assert.equal(client.stats.logins, 2);
  });
});

describe('SaltApiClient errors and retries', () => {
  test('a bad password is a SaltApiError(401) with the page text, not retried', async () => {
    const { client, seen, delays } = makeClient(['login-bad-password-sharedsecret']);
    await assert.rejects(client.localCall('*', 'test.ping'), (e: unknown) => {
      assert.ok(e instanceof SaltApiError);
      assert.equal(e.status, 401);
      assert.equal(e.body, 'Could not authenticate using provided credentials');
      return true;
    });
    assert.equal(seen.length, 1);
    assert.deepEqual(delays, []);
  });

  test('runner 500 JSON is retried 3 times with backoff, then SaltApiError(500)', async () => {
    const fail = 'runner-unknown-function';
    const { client, seen, delays } = makeClient(['login-json', fail, fail, fail, fail]);
    await assert.rejects(client.runnerCall('manage.nosuch'), (e: unknown) => {
      assert.ok(e instanceof SaltApiError);
      assert.equal(e.status, 500);
      assert.equal(e.body, 'An unexpected error occurred');
      return true;
    });
    assert.equal(seen.length, 5);
    assert.deepEqual(delays, [500, 1000, 2000]);
    assert.equal(client.stats.retries, 3);
  });

  test('4xx other than 401 is not retried', async () => {
    const { client, seen } = makeClient(['login-json', 'local-disabled-client-ssh']);
    await assert.rejects(client.localCall('*', 'test.ping'), (e: unknown) => e instanceof SaltApiError && e.status === 400);
    assert.equal(seen.length, 2);
  });

  test('401 on a call: one re-login and one retry', async () => {
    const { client, seen } = makeClient(['login-json', 'root-POST-bogus-token', 'login-auto-any-password', 'local-test.ping']);
    assert.deepEqual(await client.localCall('*', 'test.ping'), { web02: true, web01: true });
    assert.equal(client.stats.logins, 2);
    const second = (recording('login-auto-any-password').response.body as { return: [{ token: string }] }).return[0].token;
    assert.equal(seen[3].headers['x-auth-token'], second);
  });

  test('401 twice: the SaltApiError(401) after exactly one re-login', async () => {
    const { client, seen } = makeClient(['login-json', 'root-POST-short-token-expired', 'login-json', 'root-POST-short-token-expired']);
    await assert.rejects(client.localCall('web01', 'test.ping'), (e: unknown) => {
      return e instanceof SaltApiError && e.status === 401 && e.body === 'Authentication error occurred.';
    });
    assert.equal(seen.length, 4);
    assert.equal(client.stats.logins, 2);
  });

  test('network errors are retried, then SaltApiUnavailable with the cause', async () => {
    const refused = networkError('ECONNREFUSED');
    const { client, delays } = makeClient([refused, refused, refused, refused]);
    await assert.rejects(client.localCall('*', 'test.ping'), (e: unknown) => {
      assert.ok(e instanceof SaltApiUnavailable);
      assert.match(e.message, /ECONNREFUSED \(4 attempts\)/);
      assert.equal(e.cause, refused);
      return true;
    });
    assert.deepEqual(delays, [500, 1000, 2000]);
  });

  test('local_async: a connect failure is retried, but 5xx and resets are not (no double publish)', async () => {
    const a = makeClient(['login-json', networkError('ECONNREFUSED'), 'local_async-test.ping']);
    assert.equal((await a.client.localAsync('*', 'test.ping')).jid, '20261124152907155273');
    assert.deepEqual(a.delays, [500]);

    const b = makeClient(['login-json', json(502, { return: 'bad gateway' })]);
    await assert.rejects(b.client.localAsync('*', 'test.ping'), (e: unknown) => e instanceof SaltApiError && e.status === 502);
    assert.equal(b.seen.length, 2);

    const c = makeClient(['login-json', networkError('ECONNRESET')]);
    await assert.rejects(c.client.localAsync('*', 'test.ping'), SaltApiUnavailable);
    assert.equal(c.seen.length, 2);
  });

  test('a 200 that is not JSON (YAML, a proxy page) is a SaltApiError', async () => {
    const { client } = makeClient(['login-json', 'root-GET-yaml-accept']);
    await assert.rejects(client.localCall('*', 'test.ping'), (e: unknown) => {
      return e instanceof SaltApiError && e.status === 200 && /expected JSON/.test(e.message);
    });
  });
});

describe('SaltApiClient token life', () => {
  test('refreshes proactively when less than 60 s of token life remain', async () => {
    let now = 1_000_000;
    const { client, seen } = makeClient(['login-json', 'local-test.ping', 'local-test.ping', 'login-json', 'local-test.ping'], {
      now: () => now,
    });
    await client.localCall('*', 'test.ping');
    now += (43_200 - 61) * 1000; // 61 s left: still used
    await client.localCall('*', 'test.ping');
    assert.equal(client.stats.logins, 1);
    now += 2000; // 59 s left: log in first
    await client.localCall('*', 'test.ping');
    assert.equal(client.stats.logins, 2);
    assert.deepEqual(seen.map((r) => new URL(r.url).pathname), ['/login', '/', '/', '/login', '/']);
  });

  test('concurrent calls without a token share one login', async () => {
    const { client } = makeClient(['login-json', ...Array<string>(10).fill('local-test.ping')]);
    await Promise.all(Array.from({ length: 10 }, () => client.localCall('*', 'test.ping')));
    assert.equal(client.stats.logins, 1);
  });
});
