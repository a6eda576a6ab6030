/** @module Tests of the minions tick against the simulator: reconcile cases, writes, partial failure. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import { describeEachEngine, openTestDb } from '../../test/support/db.ts';
import { startSimulator, type Simulator } from '../../sim/server.ts';
import { SaltApiClient, SaltApiUnavailable } from '../salt/client.ts';
import type { DbHandle } from '../db/types.ts';
import { silentLogger } from '../log.ts';
import { ingestMinions, type MinionSource } from './ingest.ts';
import { minionIngestParts, minionSnapshots } from './model.ts';
import { minionsPoller, MinionIngestPartialFailure } from './scheduler.ts';
import { applyKeyStatuses } from './key-sync.ts';

const NOW = Date.parse('2026-11-25T10:00:00Z');

/** Makes some minions' grains differ from the generated ones (the sim has no grains setter). */
function overrideGrains(sim: Simulator, changed: Map<string, Record<string, unknown>>): void {
  const original = sim.fleet.grains.bind(sim.fleet);
  sim.fleet.grains = (id: string) => ({ ...original(id), ...(changed.get(id) ?? {}) });
}

/** A source whose chosen parts fail the way an unreachable salt-api does. */
function failing(client: SaltApiClient, parts: { keys?: boolean; presence?: boolean; grains?: boolean }): MinionSource {
  const down = () => Promise.reject(new SaltApiUnavailable('salt-api connection refused'));
  return {
    wheelCall: (fun, kw) => (parts.keys ? down() : client.wheelCall(fun, kw)),
    listConnectedMinions: () => (parts.presence ? down() : client.listConnectedMinions()),
    runnerCall: (fun, kw, arg) => (parts.grains ? down() : client.runnerCall(fun, kw, arg)),
  };
}

describeEachEngine('minions ingest', (engine) => {
  let sim: Simulator;
  let handle: DbHandle;
  let client: SaltApiClient;
  const changed = new Map<string, Record<string, unknown>>();
  let clock = NOW;
  const now = () => new Date(clock);

  before(async () => {
    sim = await startSimulator({ minions: 30, clock: () => NOW, presenceIntervalMs: 0 });
    overrideGrains(sim, changed);
    handle = await openTestDb(engine);
    client = new SaltApiClient({ url: sim.url, username: 'saltdev', password: 'x', eauth: 'auto', sleep: async () => {} });
  });
  after(async () => {
    await client.logout().catch(() => {});
    await sim.close();
    await handle.close();
  });

  const rows = () => handle.db.select().from(minionSnapshots).where(eq(minionSnapshots.masterId, 'default'));
  const row = async (id: string) =>
    (await handle.db.select().from(minionSnapshots).where(and(eq(minionSnapshots.masterId, 'default'), eq(minionSnapshots.id, id))))[0];
  const keyed = () => sim.fleet.allIds().filter((id) => sim.fleet.keyState(id));

  test('first tick inserts every key with its status, presence, ip and grain columns', async () => {
    const r = await ingestMinions({ db: handle.db, salt: client, masterId: 'default', now });
    const ids = keyed();
    assert.equal(r.inserted, ids.length);
    assert.equal(r.rowsWritten, ids.length);
    assert.deepEqual(r.failed, []);
    const all = await rows();
    assert.deepEqual(all.map((x) => x.id).sort(), [...ids].sort());
    const accepted = all.find((x) => x.keyStatus === 'accepted' && x.present)!;
    const g = sim.fleet.grains(accepted.id);
    assert.equal(accepted.os, g.os);
    assert.equal(accepted.saltversion, g.saltversion);
    assert.deepEqual(accepted.roles, g.roles);
    assert.ok(accepted.ip, 'an ip from the grains when manage.present gives none');
    assert.ok(accepted.searchText.includes(accepted.id));
    assert.equal(accepted.lastSeen?.getTime(), NOW);
    const pending = all.find((x) => x.keyStatus === 'pending')!;
    assert.equal(pending.present, false);
    assert.deepEqual(pending.grains, {});
    for (const k of ['keys', 'presence', 'grains'] as const) {
      const [p] = await handle.db.select().from(minionIngestParts).where(eq(minionIngestParts.part, k));
      assert.equal(p!.lastSuccessAt?.getTime(), NOW);
      assert.equal(p!.lastError, null);
    }
  });

  test('a tick with nothing changed writes no row', async () => {
    clock += 60_000;
    const before = await rows();
    const r = await ingestMinions({ db: handle.db, salt: client, masterId: 'default', now });
    assert.equal(r.rowsWritten, 0);
    assert.equal(r.unchanged, before.length);
    const after = await rows();
    assert.deepEqual(after.map((x) => x.updatedAt.getTime()).sort(), before.map((x) => x.updatedAt.getTime()).sort());
  });

  test('new, changed and vanished minions: exactly those rows are written', async () => {
    clock += 60_000;
    const accepted = keyed().filter((id) => sim.fleet.keyState(id) === 'accepted' && sim.fleet.isUp(id, NOW));
    const [grainsChanged, goesDown, deleted] = accepted;
    changed.set(grainsChanged!, { os: 'Plan9', roles: ['edge'] });
    sim.fleet.setPresence(goesDown!, false);
    sim.fleet.setKey(deleted!, undefined);
    sim.fleet.addMinion('newcomer01', 'pending');
    const r = await ingestMinions({ db: handle.db, salt: client, masterId: 'default', now });
    assert.deepEqual({ inserted: r.inserted, updated: r.updated, deleted: r.deleted }, { inserted: 1, updated: 2, deleted: 1 });
    assert.equal(r.rowsWritten, 4);
    const g = (await row(grainsChanged!))!;
    assert.equal(g.os, 'Plan9');
    assert.deepEqual(g.roles, ['edge']);
    assert.equal(g.updatedAt.getTime(), clock);
    assert.equal(g.firstSeen.getTime(), NOW, 'first_seen survives an update');
    const down = (await row(goesDown!))!;
    assert.equal(down.present, false);
    assert.equal(down.lastSeen?.getTime(), clock);
    assert.equal(await row(deleted!), undefined);
    assert.equal((await row('newcomer01'))!.keyStatus, 'pending');
  });

  test('grains failing: presence and keys still update, stored grains stay, the error is recorded', async () => {
    clock += 60_000;
    const [id] = keyed().filter((x) => sim.fleet.keyState(x) === 'accepted' && sim.fleet.isUp(x, NOW));
    const grainsBefore = (await row(id!))!.grains;
    changed.set(id!, { os: 'ShouldNotAppear' });
    sim.fleet.setPresence(id!, false);
    const r = await ingestMinions({ db: handle.db, salt: failing(client, { grains: true }), masterId: 'default', now });
    assert.deepEqual(r.failed.map((f) => f.part), ['grains']);
    assert.equal(r.updated, 1);
    const after = (await row(id!))!;
    assert.equal(after.present, false);
    assert.deepEqual(after.grains, grainsBefore);
    assert.notEqual(after.os, 'ShouldNotAppear');
    const [p] = await handle.db.select().from(minionIngestParts).where(eq(minionIngestParts.part, 'grains'));
    assert.match(p!.lastError!, /connection refused/);
    assert.equal(p!.lastErrorAt?.getTime(), clock);
    assert.equal(p!.lastSuccessAt?.getTime(), clock - 60_000, 'the last success is kept');
    // The next good tick picks up the grains change it missed.
    clock += 60_000;
    const next = await ingestMinions({ db: handle.db, salt: client, masterId: 'default', now });
    assert.equal(next.updated, 1);
    assert.equal((await row(id!))!.os, 'ShouldNotAppear');
  });

  test('key lists failing: nobody is added or removed', async () => {
    clock += 60_000;
    sim.fleet.addMinion('newcomer02', 'pending');
    sim.fleet.setKey('newcomer01', undefined);
    const count = (await rows()).length;
    const r = await ingestMinions({ db: handle.db, salt: failing(client, { keys: true }), masterId: 'default', now });
    assert.deepEqual(r.failed.map((f) => f.part), ['keys']);
    assert.equal(r.inserted + r.deleted, 0);
    assert.equal((await rows()).length, count);
    assert.ok(await row('newcomer01'));
  });

  test('the poller commits the good parts, then throws so the runtime records the error', async () => {
    clock += 60_000;
    sim.fleet.setKey('newcomer03', 'pending');
    const ctx = { db: handle.db, logger: silentLogger, signal: new AbortController().signal, now, masterId: 'default' };
    await assert.rejects(minionsPoller.run({ ...ctx, salt: failing(client, { presence: true }) as SaltApiClient }), (e: unknown) => {
      assert.ok(e instanceof MinionIngestPartialFailure);
      assert.match(e.message, /presence failed/);
      return true;
    });
    assert.ok(await row('newcomer03'), 'the key part was committed');
    // Every part failing is salt-api being down: the original error goes to the runtime.
    await assert.rejects(
      minionsPoller.run({ ...ctx, salt: failing(client, { keys: true, presence: true, grains: true }) as SaltApiClient }),
      SaltApiUnavailable,
    );
    await minionsPoller.run({ ...ctx, salt: client });
  });

  test('a key action made while the tick was fetching is not reverted by the tick', async () => {
    clock += 60_000;
    const [id] = keyed().filter((x) => sim.fleet.keyState(x) === 'pending');
    const racing: MinionSource = {
      ...client,
      wheelCall: async (fun, kw) => {
        const lists = await client.wheelCall(fun, kw); // Salt still says pending…
        sim.fleet.setKey(id!, 'accepted'); // …then an operator accepts the key
        await applyKeyStatuses(handle.db, 'default', new Map([[id!, 'accepted']]), new Date(clock + 1));
        return lists;
      },
      listConnectedMinions: () => client.listConnectedMinions(),
      runnerCall: (fun, kw, arg) => client.runnerCall(fun, kw, arg),
    };
    await ingestMinions({ db: handle.db, salt: racing, masterId: 'default', now });
    assert.equal((await row(id!))!.keyStatus, 'accepted');
    clock += 60_000;
    await ingestMinions({ db: handle.db, salt: client, masterId: 'default', now });
    assert.equal((await row(id!))!.keyStatus, 'accepted', 'the next tick agrees');
  });

  test('an aborted tick writes nothing', async () => {
    sim.fleet.addMinion('newcomer04', 'pending');
    const abort = new AbortController();
    abort.abort();
    const r = await ingestMinions({ db: handle.db, salt: client, masterId: 'default', now, signal: abort.signal });
    assert.equal(r.aborted, true);
    assert.equal(await row('newcomer04'), undefined);
  });
});

describeEachEngine('minions ingest at 2,500 minions', (engine) => {
  test('batches the writes and a steady tick writes only what changed', async () => {
    const sim = await startSimulator({ minions: 2500, clock: () => NOW, presenceIntervalMs: 0, history: 0 });
    const handle = await openTestDb(engine);
    const client = new SaltApiClient({ url: sim.url, username: 'saltdev', password: 'x', eauth: 'auto', sleep: async () => {} });
    try {
      const changed = new Map<string, Record<string, unknown>>();
      overrideGrains(sim, changed);
      const first = await ingestMinions({ db: handle.db, salt: client, masterId: 'default', now: () => new Date(NOW) });
      assert.equal(first.inserted, 2500);
      const accepted = sim.fleet.allIds().filter((id) => sim.fleet.keyState(id) === 'accepted');
      for (const id of accepted.slice(0, 25)) changed.set(id, { bench_marker: 1 });
      const steady = await ingestMinions({ db: handle.db, salt: client, masterId: 'default', now: () => new Date(NOW + 60_000) });
      assert.equal(steady.rowsWritten, 25);
      const stored = await handle.db.select({ id: minionSnapshots.id }).from(minionSnapshots);
      assert.equal(stored.length, sim.fleet.allIds().filter((id) => sim.fleet.keyState(id)).length);
    } finally {
      await client.logout().catch(() => {});
      await sim.close();
      await handle.close();
    }
  });
});
