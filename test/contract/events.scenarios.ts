/**
 * Contract scenario for salt-api's `/events` stream: a job dispatched while the client's
 * `streamEvents()` is connected shows up as `salt/job/<jid>/new` and `salt/job/<jid>/ret/<mid>`.
 *
 * @module
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SaltApiClient, SaltEvent } from '../../src/salt/client.ts';
import { JID, eventually } from './lab.ts';

/** Register the event scenario; `client()` is the suite's shared, logged-in client. */
export function eventScenarios(client: () => SaltApiClient): void {
  test('/events delivers salt/job/<jid>/new and /ret/<mid> for a dispatched job', async () => {
    const c = client();
    const ctrl = new AbortController();
    const seen: SaltEvent[] = [];
    let connected!: () => void;
    const isConnected = new Promise<void>((resolve) => (connected = resolve));
    const reading = (async () => {
      const stream = c.streamEvents({
        signal: ctrl.signal,
        onStatus: (s) => s.state === 'connected' && connected(),
      });
      for await (const ev of stream) seen.push(ev);
    })();

    try {
      await isConnected;
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
