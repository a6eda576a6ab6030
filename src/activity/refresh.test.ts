import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventHub } from './hub.ts';
import { startRefresher } from './refresh.ts';
import { fakeEvent } from './testkit.ts';

async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}

test('job events run the jobs poller once per burst, then announce jobs-refreshed; key events the minions poller', async () => {
  const hub = new EventHub();
  const runs: string[] = [];
  const page = hub.subscribe(new Set(['job', 'key', 'minion']));
  const stop = startRefresher({ hub, delayMs: 10, minGapMs: 50, runPoller: async (name) => (runs.push(name), 'ran') });
  try {
    hub.publish([fakeEvent(1, 'job'), fakeEvent(2, 'job')]);
    hub.publish([fakeEvent(3, 'job')]);
    await until(() => runs.length === 1);
    // Read what the page subscriber got: the three events, then the notice after the run.
    const seen: string[] = [];
    while (!seen.includes('jobs-refreshed')) {
      const b = await page.next();
      seen.push(...b.events.map((e) => String(e.id)), ...b.notices.map((n) => n.event));
    }
    assert.deepEqual(seen, ['1', '2', '3', 'jobs-refreshed']);
    assert.deepEqual(runs, ['jobs'], 'one run for the burst');

    hub.publish([fakeEvent(4, 'key')]);
    await until(() => runs.length === 2);
    assert.equal(runs[1], 'minions');
    const got: string[] = [];
    while (!got.includes('keys-refreshed')) {
      const b = await page.next();
      got.push(...b.notices.map((n) => n.event));
    }
    assert.deepEqual(got.sort(), ['keys-refreshed', 'minions-refreshed']);
  } finally {
    stop();
  }
});

test('notices respect categories; a skipped run (one in flight) is retried after the gap', async () => {
  const hub = new EventHub();
  const keysOnly = hub.subscribe(new Set(['key']));
  let calls = 0;
  const stop = startRefresher({ hub, delayMs: 1, minGapMs: 20, runPoller: async () => (++calls === 1 ? 'skipped' : 'ran') });
  try {
    hub.publish([fakeEvent(1, 'job')]);
    await until(() => calls === 2);
    await new Promise((r) => setTimeout(r, 20));
    hub.announce('key', 'keys-refreshed');
    const b = await keysOnly.next();
    assert.deepEqual(b.events, [], 'job events are not for a key-only subscriber');
    assert.deepEqual(b.notices.map((n) => n.event), ['keys-refreshed'], 'jobs-refreshed was not delivered to it');
  } finally {
    stop();
  }
});
