import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventHub } from './hub.ts';
import type { ActivityEvent } from './schemas.ts';
import { fakeEvent } from './testkit.ts';

const ids = (events: ActivityEvent[]) => events.map((e) => e.id);

describe('EventHub', () => {
  test('subscribers receive published events in order', async () => {
    const hub = new EventHub();
    const a = hub.subscribe();
    const b = hub.subscribe();
    hub.publish([fakeEvent(1), fakeEvent(2)]);
    hub.publish([fakeEvent(3)]);
    assert.deepEqual(ids((await a.next()).events), [1, 2, 3]);
    assert.deepEqual(ids((await b.next()).events), [1, 2, 3]);
    const waiting = a.next();
    hub.publish([fakeEvent(4)]);
    assert.deepEqual(ids((await waiting).events), [4]);
  });

  test('the ring keeps the newest ringSize events and replays after an id', () => {
    const hub = new EventHub({ ringSize: 5 });
    hub.publish([1, 2, 3, 4, 5, 6, 7].map((i) => fakeEvent(i)));
    assert.deepEqual(ids(hub.replay(null)!), [3, 4, 5, 6, 7]);
    assert.deepEqual(ids(hub.replay(5)!), [6, 7]);
    assert.deepEqual(ids(hub.replay(2)!), [3, 4, 5, 6, 7], 'the ring starts right after 2: still complete');
    assert.equal(hub.replay(1), null, 'event 2 is gone from the ring: the database must answer');
    assert.deepEqual(hub.replay(7), []);
    assert.equal(hub.lastId, 7);
  });

  test('an empty ring cannot vouch for what a reconnecting client missed', () => {
    const hub = new EventHub();
    assert.deepEqual(hub.replay(null), []);
    assert.equal(hub.replay(10), null);
  });

  test('a republished id is ignored (ids only grow)', () => {
    const hub = new EventHub();
    hub.publish([fakeEvent(1), fakeEvent(2)]);
    hub.publish([fakeEvent(2)]);
    assert.deepEqual(ids(hub.replay(null)!), [1, 2]);
  });

  test('a subscriber sees only its categories', async () => {
    const hub = new EventHub();
    const keysOnly = hub.subscribe(new Set(['key']));
    hub.publish([fakeEvent(1, 'job'), fakeEvent(2, 'key'), fakeEvent(3, 'minion')]);
    assert.deepEqual(ids((await keysOnly.next()).events), [2]);
  });

  test('a slow subscriber is dropped; the others keep receiving', async () => {
    const hub = new EventHub({ queueLimit: 10 });
    const slow = hub.subscribe();
    const fast = hub.subscribe();
    for (let i = 1; i <= 30; i++) {
      hub.publish([fakeEvent(i)]);
      if (i % 5 === 0) assert.equal((await fast.next()).events.length, 5);
    }
    assert.equal(slow.dropped, true);
    assert.equal(slow.closed, true);
    const last = await slow.next();
    assert.equal(last.closed, true);
    assert.equal(last.dropped, true);
    assert.deepEqual(last.events, [], 'a dropped subscriber keeps nothing in memory');
    assert.equal(hub.subscriberCount, 1);
    assert.equal(hub.stats.dropped, 1);
    assert.equal(fast.dropped, false);
  });

  test('status changes reach subscribers; close() wakes a waiting next()', async () => {
    let now = 0;
    const hub = new EventHub({ now: () => now });
    const s = hub.subscribe();
    const waiting = s.next();
    now = 5000;
    hub.setStatus('connected', null);
    const batch = await waiting;
    assert.equal(batch.status?.state, 'connected');
    assert.equal(batch.status?.since, new Date(5000).toISOString());
    const again = s.next();
    hub.closeAll();
    assert.equal((await again).closed, true);
    assert.equal(hub.subscriberCount, 0);
  });
});
