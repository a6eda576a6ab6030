/**
 * Contract scenarios for salt-api's `/events` stream: a job dispatched while the client's
 * `streamEvents()` is connected shows up as `salt/job/<jid>/new` and `salt/job/<jid>/ret/<mid>`;
 * and, below the client, which ways of passing the token salt-api accepts.
 *
 * Salt 3007.15+ (and 3008.x) answer 400 to ANY query parameter on /events, `?token=` included;
 * only the `X-Auth-Token` header and the `session_id` cookie work there. 3007.14 (the recordings)
 * accepts all three. The raw probe below pins that down per version.
 *
 * @module
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SaltApiClient, SaltEvent, SaltEventStreamStatus } from '../../src/salt/client.ts';
import { JID, eventually, type ContractEnv } from './lab.ts';

/** How long the client may take to get a 200 from /events before the scenario gives up. */
const CONNECT_TIMEOUT_MS = 15_000;

/** Read `/events` raw until the first chunk (the `retry:` line) arrives, then hang up. */
async function probeEvents(url: string, headers: Record<string, string>): Promise<{ status: number; first: string }> {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), 10_000);
  try {
    const res = await fetch(url, { headers: { Accept: 'application/json', ...headers }, signal: ctrl.signal });
    if (res.status !== 200 || !res.body) return { status: res.status, first: await res.text() };
    const { value } = await res.body.getReader().read();
    return { status: res.status, first: new TextDecoder().decode(value) };
  } finally {
    clearTimeout(timer);
    ctrl.abort();
  }
}

/** Register the event scenarios; `client()` is the suite's shared, logged-in client. */
export function eventScenarios(env: ContractEnv, client: () => SaltApiClient): void {
  test('/events raw: the X-Auth-Token header opens the stream with `retry: 400`', async (t) => {
    const { token } = await client().login();
    const viaHeader = await probeEvents(`${env.url}/events`, { 'X-Auth-Token': token });
    assert.equal(viaHeader.status, 200);
    assert.match(viaHeader.first, /^retry: 400\n/);
    const viaCookie = await probeEvents(`${env.url}/events`, { Cookie: `session_id=${token}` });
    assert.equal(viaCookie.status, 200, 'the session cookie works too');
    // Not a pass/fail contract (it differs by version), but the client must know: say it.
    const viaQuery = await probeEvents(`${env.url}/events?token=${token}`, {});
    t.diagnostic(`GET /events?token= answers ${viaQuery.status} on this Salt`);
    assert.ok([200, 400].includes(viaQuery.status), `?token= answers 200 (<= 3007.14) or 400 (3007.15+)`);
  });

  test('/events delivers salt/job/<jid>/new and /ret/<mid> for a dispatched job', async () => {
    const c = client();
    const ctrl = new AbortController();
    const seen: SaltEvent[] = [];
    let lastStatus: SaltEventStreamStatus | undefined;
    let connected!: () => void;
    const isConnected = new Promise<void>((resolve) => (connected = resolve));
    const reading = (async () => {
      const stream = c.streamEvents({
        signal: ctrl.signal,
        onStatus: (s) => {
          lastStatus = s;
          if (s.state === 'connected') connected();
        },
      });
      for await (const ev of stream) seen.push(ev);
    })();

    try {
      let timer: NodeJS.Timeout | undefined;
      const gaveUp = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const why = lastStatus?.error?.message ?? lastStatus?.state ?? 'no status reported';
          reject(new Error(`streamEvents() did not connect within ${CONNECT_TIMEOUT_MS} ms: ${why}`));
        }, CONNECT_TIMEOUT_MS);
      });
      await Promise.race([isConnected, gaveUp]).finally(() => clearTimeout(timer));

      const byTag = (tag: string) => seen.find((e) => e.tag === tag);
      // salt-api subscribes to the master's bus before it sends `retry:`, so the stream is live
      // once connected; still, if a publish slips past, dispatching again costs little.
      const { jid, newEvent } = await eventually(
        'salt/job/<jid>/new on the stream',
        async () => {
          const job = await c.localAsync('web01', 'test.ping');
          const ev = await eventually(`salt/job/${job.jid}/new`, async () => byTag(`salt/job/${job.jid}/new`), {
            timeoutMs: 5000,
            intervalMs: 50,
          }).catch(() => undefined);
          return ev ? { jid: job.jid, newEvent: ev } : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 0 },
      );
      assert.match(jid, JID);
      assert.equal(newEvent.data.jid, jid);
      assert.equal(newEvent.data.fun, 'test.ping');
      assert.equal(newEvent.data.tgt, 'web01');
      assert.deepEqual(newEvent.data.minions, ['web01']);
      assert.equal(typeof newEvent.data._stamp, 'string');

      const ret = await eventually('salt/job/<jid>/ret/web01', async () => byTag(`salt/job/${jid}/ret/web01`), {
        timeoutMs: 15_000,
        intervalMs: 50,
      });
      assert.equal(ret.data.id, 'web01');
      assert.equal(ret.data.jid, jid);
      assert.equal(ret.data.return, true);
      assert.equal(ret.data.success, true);
      assert.equal(ret.data.retcode, 0);
      assert.equal(ret.data.cmd, '_return');
      assert.equal(ret.data.fun, 'test.ping');
      assert.ok(seen.indexOf(newEvent) < seen.indexOf(ret), 'new before ret');
    } finally {
      ctrl.abort();
      await reading;
    }
  });
}
