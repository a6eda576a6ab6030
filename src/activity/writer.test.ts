import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine, openTestDb } from '../../test/support/db.ts';
import { silentLogger } from '../log.ts';
import type { Db, DbHandle } from '../db/types.ts';
import { EventHub } from './hub.ts';
import { ActivityWriter } from './writer.ts';
import { normalizeEvent, type NormalizedEvent } from './normalize.ts';
import { listActivity } from './service.ts';

const key = (id: string): NormalizedEvent => normalizeEvent({ tag: 'salt/key', data: { act: 'accept', id } })!;

/** The database with `execute` slowed down and, while `failing`, refused. */
function faultyDb(db: Db, o: { delayMs: number; failing: { n: number } }): Db {
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop !== 'execute') return Reflect.get(target, prop, receiver);
      return async (...args: unknown[]) => {
        await new Promise((r) => setTimeout(r, o.delayMs));
        if (o.failing.n > 0) {
          o.failing.n--;
          throw new Error('database unavailable');
        }
        return (target.execute as (...a: unknown[]) => unknown)(...args);
      };
    },
  });
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}

describeEachEngine('ActivityWriter', (engine) => {
  let handle: DbHandle;
  before(async () => (handle = await openTestDb(engine)));
  after(async () => handle.close());

  test('events that arrive during a slow write are written next, without another push', async () => {
    const hub = new EventHub();
    const w = new ActivityWriter({ db: faultyDb(handle.db, { delayMs: 40, failing: { n: 0 } }), masterId: 'w1', hub, logger: silentLogger, flushMs: 5 });
    w.push(key('a'));
    await until(() => w.buffered === 0); // the first write is in flight
    w.push(key('b'));
    w.push(key('c'));
    await until(() => hub.lastId > 0 && w.stats.written === 3);
    assert.deepEqual(hub.replay(null)!.map((e) => e.minion), ['a', 'b', 'c']);
    assert.equal(w.stats.batches, 2);
    await w.close();
  });

  test('a batch of maxBatch is written at once; while the database is slow, past maxBuffer push() makes the reader wait', async () => {
    const hub = new EventHub();
    const w = new ActivityWriter({ db: faultyDb(handle.db, { delayMs: 50, failing: { n: 0 } }), masterId: 'w2', hub, logger: silentLogger, flushMs: 60_000, maxBatch: 3, maxBuffer: 5 });
    assert.equal(w.push(key('1')), undefined);
    assert.equal(w.push(key('2')), undefined);
    assert.equal(w.push(key('3')), undefined, 'the third starts a write but the reader goes on');
    assert.equal(w.buffered, 0, 'the write took the batch');
    // While that (slow) write runs, events pile up in the buffer.
    for (const id of ['4', '5', '6', '7']) assert.equal(w.push(key(id)), undefined);
    assert.equal(w.buffered, 4);
    const wait = w.push(key('8'));
    assert.ok(wait instanceof Promise, 'the buffer is full: wait');
    await wait;
    await until(() => w.stats.written === 8);
    assert.deepEqual(hub.replay(null)!.map((e) => e.minion), ['1', '2', '3', '4', '5', '6', '7', '8']);
    await w.close();
  });

  test('a failed insert is retried after retryMs, in order, and nothing is published before it is stored', async () => {
    const hub = new EventHub();
    const failing = { n: 1 };
    const w = new ActivityWriter({ db: faultyDb(handle.db, { delayMs: 1, failing }), masterId: 'w3', hub, logger: silentLogger, flushMs: 1, retryMs: 30 });
    w.push(key('x'));
    await until(() => w.stats.failures === 1);
    assert.equal(hub.lastId, 0, 'not published while not stored');
    w.push(key('y'));
    await until(() => w.stats.written === 2);
    assert.deepEqual(hub.replay(null)!.map((e) => e.minion), ['x', 'y']);
    const stored = await listActivity(handle.db, 'w3', ['key'], { limit: 10 });
    assert.deepEqual(stored.data.map((e) => e.minion), ['y', 'x']);
    await w.close();
  });
});
