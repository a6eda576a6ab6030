/**
 * Contract scenarios for minion keys against a real salt-api: list, accept, reject
 * (include_accepted) and delete of the lab's pending key `pend01`.
 *
 * The lab's pend01 minion keeps running with `rejected_retry: True`, so after the delete it
 * submits its key again; the scenario waits for that, which leaves the lab ready for the next run.
 *
 * @module
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SaltApiClient } from '../../src/salt/client.ts';
import { ACCEPTED, PENDING, answersPing, eventually, listKeys, type KeyLists } from './lab.ts';

/**
 * Re-submission needs the master's AES rotation (its maintenance loop: loop_interval, 5 s in the
 * lab), then a publish, then the minion's acceptance_wait_time (2 s in the lab).
 */
const RESUBMIT_TIMEOUT_MS = 45_000;

/**
 * Wait until pend01's key is pending again (after a delete, or mid-way from an interrupted run).
 *
 * A deleted minion keeps its old session until it sees a publish it cannot decrypt with the
 * rotated AES key; only then does it authenticate again and land in minions_pre. Nothing else
 * publishes in the lab, so each probe publishes a test.ping to web01.
 */
async function pendingAgain(c: SaltApiClient): Promise<KeyLists> {
  return eventually(
    `${PENDING}'s key to be pending`,
    async () => {
      const keys = await listKeys(c);
      if (keys.minions_pre.includes(PENDING)) return keys;
      await c.localAsync('web01', 'test.ping');
      return undefined;
    },
    { timeoutMs: RESUBMIT_TIMEOUT_MS, intervalMs: 1000 },
  );
}

/** Register the key scenarios; `client()` is the suite's shared, logged-in client. */
export function keyScenarios(client: () => SaltApiClient): void {
  test('keys: list_all, then accept, reject (include_accepted) and delete the pending key', async () => {
    const c = client();
    let keys = await listKeys(c);
    if (!keys.minions_pre.includes(PENDING)) {
      // An earlier run stopped half-way: delete whatever state the key is in and let it re-submit.
      await c.wheelCall('key.delete', { match: PENDING });
      keys = await pendingAgain(c);
    }
    for (const id of ACCEPTED) assert.ok(keys.minions.includes(id), `${id} accepted`);
    assert.ok(!keys.minions.includes(PENDING));
    assert.deepEqual(keys.minions_rejected, []);
    assert.deepEqual(keys.minions_denied, []);
    // The master's own key pair: master.pem/.pub on 3007, <master id>.pem/.pub on 3008.
    assert.equal(keys.local.length, 2);
    assert.ok(keys.local.some((k) => k.endsWith('.pem')) && keys.local.some((k) => k.endsWith('.pub')), `${keys.local}`);

    // accept: the affected keys under their new status
    assert.deepEqual(await c.wheelCall('key.accept', { match: PENDING }), { minions: [PENDING] });
    keys = await listKeys(c);
    assert.ok(keys.minions.includes(PENDING) && !keys.minions_pre.includes(PENDING));
    // and the running minion is now reachable: its next auth attempt succeeds
    await eventually(`${PENDING} to answer test.ping`, () => answersPing(c, PENDING), {
      timeoutMs: RESUBMIT_TIMEOUT_MS,
      intervalMs: 0,
    });

    // reject an accepted key: only with include_accepted
    assert.deepEqual(await c.wheelCall('key.reject', { match: PENDING, include_accepted: true }), {
      minions_rejected: [PENDING],
    });
    keys = await listKeys(c);
    assert.deepEqual(keys.minions_rejected, [PENDING]);
    assert.ok(!keys.minions.includes(PENDING));
    assert.deepEqual(await c.localCall(PENDING, 'test.ping', { timeout: 3 }), {}, 'a rejected key matches nothing');

    // delete: `{}`, the key is gone, and the running minion submits it again (pending)
    assert.deepEqual(await c.wheelCall('key.delete', { match: PENDING }), {});
    keys = await listKeys(c);
    assert.ok(!keys.minions_rejected.includes(PENDING) && !keys.minions.includes(PENDING));
    keys = await pendingAgain(c);
    assert.deepEqual(keys.minions_pre, [PENDING]);
    for (const id of ACCEPTED) assert.ok(keys.minions.includes(id), `${id} still accepted`);
  });
}
