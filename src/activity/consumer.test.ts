/**
 * The consumer against the simulator: live jobs and key changes reach the hub with database ids,
 * the stream status is reported, and the consumer recovers from dropped streams and a salt-api
 * restart (sessions lost), backfilling the jobs started during the gap.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine, openTestDb } from '../../test/support/db.ts';
import { startSimulator, type Simulator } from '../../sim/server.ts';
import { SaltApiClient } from '../salt/client.ts';
import { createLogger, silentLogger } from "../log.ts";
import type { DbHandle } from '../db/types.ts';
import type { RuntimeSettings } from '../settings/service.ts';
import { EventHub, type Subscription } from './hub.ts';
import { PendRepeatFilter, startActivityConsumer } from './consumer.ts';
import { insertActivityEvents, listActivity, pruneActivity } from './service.ts';
import type { ActivityEvent } from './schemas.ts';
import { normalizeEvent } from './normalize.ts';

const settings = { activityRetentionDays: 30 } as RuntimeSettings;

/** Reads the subscription until `pred` holds for the events seen so far (or 5 s pass). */
async function until(sub: Subscription, seen: ActivityEvent[], pred: (all: ActivityEvent[]) => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!pred(seen)) {
    const timer = new Promise<null>((r) => setTimeout(() => r(null), Math.max(1, deadline - Date.now())));
    const batch = await Promise.race([sub.next(), timer]);
    if (!batch) throw new Error(`timed out; saw ${seen.map((e) => `${e.kind}:${e.jid ?? e.minion}`).join(', ')}`);
    seen.push(...batch.events);
  }
}

describeEachEngine('activity consumer', (engine) => {
  let handle: DbHandle;
  let sim: Simulator;
  let salt: SaltApiClient;
  /** While set, the stream reader's reconnect waits here (the gap the test fills with a job). */
  let gate: Promise<void> | null = null;
  const sleeps: number[] = [];

  before(async () => {
    handle = await openTestDb(engine);
    sim = await startSimulator({ preset: 'lab', jobDurationMs: 5, presenceIntervalMs: 0 });
    salt = new SaltApiClient({
      url: sim.url, username: 'saltdev', password: 'x', eauth: 'auto', timeoutMs: 5000,
      sleep: async (ms) => {
        sleeps.push(ms);
        if (gate) await gate;
        else await new Promise((r) => setTimeout(r, 5));
      },
    });
  });
  after(async () => {
    await sim.close();
    await handle.close();
  });

  test('live events are persisted, then published with their ids; recovery after drops, a restart and token expiry; the gap is backfilled', async () => {
    const hub = new EventHub();
    const statuses: string[] = [];
    const watcher = hub.subscribe();
    const seen: ActivityEvent[] = [];
    const abort = new AbortController();
    const stop = await startActivityConsumer(
      { db: handle.db, salt, logger: process.env.DEBUG_ACTIVITY ? createLogger("debug") : silentLogger, signal: abort.signal, settings, masterId: 'default' },
      { hub, writer: { flushMs: 5 } },
    );
    const origSet = hub.setStatus.bind(hub);
    hub.setStatus = (s, m) => {
      statuses.push(s);
      origSet(s, m);
    };
    try {
      await waitFor(() => hub.status().state === 'connected');

      // 1. A live job: new + one return per minion, stored before published.
      const { jid } = await salt.localAsync('*', 'test.ping');
      await until(watcher, seen, (all) => all.filter((e) => e.jid === jid).length === 3);
      const job = seen.filter((e) => e.jid === jid);
      assert.deepEqual(job.map((e) => e.kind), ['job.new', 'job.ret', 'job.ret']);
      assert.ok(job.every((e) => e.outcome === null || e.outcome === 'ok'));
      assert.ok(job[0]!.id < job[1]!.id && job[1]!.id < job[2]!.id, 'ids grow');
      const stored = await listActivity(handle.db, 'default', ['job', 'key', 'minion'], { jid, limit: 10 });
      assert.deepEqual(stored.data.map((e) => e.id).reverse(), job.map((e) => e.id), 'the published ids are the stored rows');

      // 2. A key change: one salt/key event, the wheel call's two new/ret pairs dropped.
      await salt.wheelCall('key.accept', { match: 'db01' });
      await until(watcher, seen, (all) => all.some((e) => e.kind === 'key.accept'));
      assert.equal(seen.filter((e) => e.tag.startsWith('salt/wheel')).length, 0);

      // 3. The stream drops; while the reader waits to reconnect, a job starts: backfilled.
      let release!: () => void;
      gate = new Promise((r) => (release = r));
      const before = sleeps.length;
      sim.faults.dropEventStreams();
      await waitFor(() => sleeps.length > before);
      assert.equal(hub.status().state, 'reconnecting');
      const missed = await salt.localAsync('web01', 'test.ping');
      await new Promise((r) => setTimeout(r, 50)); // its events go to no stream
      gate = null;
      release();
      await until(watcher, seen, (all) => all.some((e) => e.jid === missed.jid && e.backfilled));
      const back = seen.find((e) => e.jid === missed.jid)!;
      assert.equal(back.kind, 'job.new');
      assert.equal(back.fun, 'test.ping');
      assert.ok(statuses.includes('reconnecting') && statuses.lastIndexOf('connected') > statuses.indexOf('reconnecting'));

      // 4. salt-api restarts (its sessions are in memory): the reader logs in again.
      const logins = salt.stats.logins;
      await sim.faults.down();
      await new Promise((r) => setTimeout(r, 30));
      await sim.faults.up();
      await waitFor(() => hub.status().state === 'connected' && salt.stats.logins > logins);
      const after = await salt.localAsync('web02', 'test.ping');
      await until(watcher, seen, (all) => all.some((e) => e.jid === after.jid && e.kind === 'job.ret'));
      assert.equal(seen.filter((e) => e.jid === jid && e.kind === 'job.new').length, 1, 'nothing stored twice');

      // 5. The token expires: Salt delivers one more event, ends the stream; the reader logs in again.
      const drops = statuses.filter((x) => x === 'reconnecting').length;
      sim.faults.expireTokens();
      await salt.localAsync('web01', 'test.ping'); // the client re-logs in for this call; the stream ends after its first event
      await waitFor(() => statuses.filter((x) => x === 'reconnecting').length > drops && hub.status().state === 'connected');
      const last = await salt.localAsync('web02', 'test.ping');
      await until(watcher, seen, (all) => all.some((e) => e.jid === last.jid && e.kind === 'job.ret'));
    } finally {
      abort.abort();
      await stop();
    }
    assert.equal(hub.status().state, 'off');
  });

  test('retention deletes only events older than the period', async () => {
    const now = new Date('2026-11-24T12:00:00Z');
    const ev = (daysAgo: number) => ({
      ...normalizeEvent({ tag: 'salt/key', data: { act: 'accept', id: `m${daysAgo}` } })!,
      at: new Date(now.getTime() - daysAgo * 86_400_000),
    });
    await insertActivityEvents(handle.db, 'prune-test', [ev(40), ev(31), ev(29), ev(1)]);
    assert.equal(await pruneActivity(handle.db, 'prune-test', 30, now, 1), 2, 'batches of one still delete both');
    const left = await listActivity(handle.db, 'prune-test', ['key'], { limit: 10 });
    assert.deepEqual(left.data.map((e) => e.minion), ['m1', 'm29']);
  });
});

test('a pending key that re-authenticates every 10 s is recorded once per window', () => {
  const f = new PendRepeatFilter(60_000);
  const pend = normalizeEvent({ tag: 'salt/auth', data: { act: 'pend', id: 'db01' } })!;
  const accept = normalizeEvent({ tag: 'salt/key', data: { act: 'accept', id: 'db01' } })!;
  assert.equal(f.keep(pend, 0), true);
  assert.equal(f.keep(pend, 10_000), false);
  assert.equal(f.keep(pend, 61_000), true);
  assert.equal(f.keep(accept, 62_000), true);
  assert.equal(f.keep(pend, 63_000), true, 'after a key change, pending again is news');
});

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
