/** @module Tests of the inventory tick against the simulator: batches, hash skip, diffs, deadline, removal, failures. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import { describeEachEngine, openTestDb } from '../../test/support/db.ts';
import { startSimulator, type Simulator } from '../../sim/server.ts';
import { SaltApiClient, SaltApiUnavailable } from '../salt/client.ts';
import type { DbHandle } from '../db/types.ts';
import { ingestMinions } from '../minions/ingest.ts';
import { minionSnapshots } from '../minions/model.ts';
import { ingestInventory, type InventorySalt } from './ingest.ts';
import { inventoryMinions, inventoryPackages, inventoryVersions } from './model.ts';
import { count } from 'drizzle-orm';
import { inventoryPoller } from './scheduler.ts';

const NOW = Date.parse('2026-11-25T10:00:00Z');

describeEachEngine('inventory ingest', (engine) => {
  let sim: Simulator;
  let handle: DbHandle;
  let client: SaltApiClient;
  /** Package edits applied to what lookup_jid returns: minion → name → version (null removes). */
  const edits = new Map<string, Record<string, string | null>>();
  const dispatches: string[][] = [];
  const now = () => new Date(NOW);

  /** The real client, recording dispatches and editing returns. */
  const salt: InventorySalt = {
    async localAsync(tgt, fun, o) {
      dispatches.push(Array.isArray(tgt) ? tgt : [tgt]);
      return client.localAsync(tgt, fun, o);
    },
    async lookupJid(jid) {
      const ret = await client.lookupJid(jid);
      for (const [mid, change] of edits) {
        const pkgs = ret[mid] as Record<string, string> | undefined;
        if (!pkgs) continue;
        for (const [name, v] of Object.entries(change)) {
          if (v === null) delete pkgs[name];
          else pkgs[name] = v;
        }
      }
      return ret;
    },
  };
  const ingest = (extra: Partial<Parameters<typeof ingestInventory>[0]> = {}) =>
    ingestInventory({ db: handle.db, salt, masterId: 'default', now, batchSize: 7, pollMs: 5, deadlineMs: 10_000, ...extra });

  before(async () => {
    sim = await startSimulator({ minions: 30, clock: () => NOW, presenceIntervalMs: 0, jobDurationMs: 5, history: 0 });
    handle = await openTestDb(engine);
    client = new SaltApiClient({ url: sim.url, username: 'saltdev', password: 'x', eauth: 'auto', sleep: async () => {} });
    await ingestMinions({ db: handle.db, salt: client, masterId: 'default', now });
  });
  after(async () => {
    await client.logout().catch(() => {});
    await sim.close();
    await handle.close();
  });

  const present = async () =>
    (await handle.db.select({ id: minionSnapshots.id }).from(minionSnapshots)
      .where(and(eq(minionSnapshots.keyStatus, 'accepted'), eq(minionSnapshots.present, true)))).map((r) => r.id).sort();
  const rowsOf = (id: string) =>
    handle.db.select({ name: inventoryPackages.name, version: inventoryPackages.version, source: inventoryPackages.source })
      .from(inventoryPackages).where(eq(inventoryPackages.minionId, id));

  /** inventory_versions must equal a fresh count over the package rows. */
  async function assertVersionCounts(): Promise<void> {
    const p = inventoryPackages;
    const fresh = await handle.db.select({ n: p.name, s: p.source, v: p.version, c: count() }).from(p).groupBy(p.name, p.source, p.version);
    const kept = await handle.db.select().from(inventoryVersions);
    const key = (n: string, s: string, v: string) => `${n}|${s}|${v}`;
    assert.deepEqual(
      new Map(kept.map((r) => [key(r.name, r.source, r.version), r.minions])),
      new Map(fresh.map((r) => [key(r.n, r.s, r.v), Number(r.c)])),
    );
  }

  test('first tick: batches of the present minions, every package stored with the os_family source', async () => {
    const ids = await present();
    dispatches.length = 0;
    const r = await ingest();
    assert.equal(r.targeted, ids.length);
    assert.equal(r.returned, ids.length);
    assert.equal(r.batches, Math.ceil(ids.length / 7));
    assert.deepEqual(dispatches.map((d) => d.length), dispatches.map((_, i) => Math.min(7, ids.length - i * 7)));
    assert.deepEqual(dispatches.flat().sort(), ids);
    const expected = ids.reduce((n, id) => n + Object.keys(sim.fleet.packages(id)).length, 0);
    assert.equal(r.rowsInserted, expected);
    assert.equal(r.rowsWritten, expected);
    const [total] = await handle.db.select({ n: inventoryPackages.minionId }).from(inventoryPackages).limit(1);
    assert.ok(total);
    const id = ids[0];
    const stored = await rowsOf(id);
    const pkgs = sim.fleet.packages(id);
    assert.equal(stored.length, Object.keys(pkgs).length);
    const family = String(sim.fleet.grains(id).os_family);
    for (const row of stored) {
      assert.equal(row.version, pkgs[row.name]);
      assert.equal(row.source, family === 'Debian' ? 'deb' : family === 'RedHat' ? 'rpm' : 'other');
    }
    await assertVersionCounts();
  });

  test('steady tick: every hash unchanged, nothing written', async () => {
    const r = await ingest();
    assert.equal(r.minionsChanged, 0);
    assert.equal(r.minionsUnchanged, r.returned);
    assert.equal(r.rowsWritten, 0);
  });

  test('a changed minion: only its upgraded, removed and added packages are written', async () => {
    const [id] = await present();
    const pkgs = Object.keys(sim.fleet.packages(id));
    edits.set(id, { [pkgs[0]]: '99:9.9-9', [pkgs[1]]: null, 'brand-new-tool': '1.0-1' });
    const r = await ingest();
    assert.equal(r.minionsChanged, 1);
    // upgrade = delete + insert, removal = delete, addition = insert
    assert.equal(r.rowsInserted, 2);
    assert.equal(r.rowsDeleted, 2);
    const stored = new Map((await rowsOf(id)).map((x) => [x.name, x.version]));
    assert.equal(stored.get(pkgs[0]), '99:9.9-9');
    assert.equal(stored.has(pkgs[1]), false);
    assert.equal(stored.get('brand-new-tool'), '1.0-1');
    await assertVersionCounts();
    edits.clear();
  });

  test('several versions of one package ("a,b") become one row each', async () => {
    const [, id] = await present();
    edits.set(id, { kernel: '5.14.0-70.el9,5.14.0-162.el9' });
    await ingest();
    const kernels = (await rowsOf(id)).filter((x) => x.name === 'kernel').map((x) => x.version).sort();
    assert.deepEqual(kernels, ['5.14.0-162.el9', '5.14.0-70.el9']);
    edits.clear();
    const r = await ingest();
    assert.equal(r.rowsDeleted, 2, 'the two kernel rows go when the return no longer has them');
    await assertVersionCounts();
    assert.equal((await handle.db.select().from(inventoryVersions).where(eq(inventoryVersions.name, 'kernel'))).length, 0);
  });

  test('minions that do not return before the deadline keep their rows and count as missing', async () => {
    const [id] = await present();
    const before = (await rowsOf(id)).length;
    sim.fleet.setPresence(id, false);
    let t = 0;
    const r = await ingest({ clock: () => t, sleep: async (ms) => { t += ms; }, deadlineMs: 50 });
    sim.fleet.setPresence(id, undefined);
    assert.equal(r.missing, 1);
    assert.equal((await rowsOf(id)).length, before);
  });

  test('a return that is not a package dict is counted invalid and changes nothing', async () => {
    const [id] = await present();
    const broken: InventorySalt = {
      localAsync: salt.localAsync,
      lookupJid: async (jid) => ({ ...(await salt.lookupJid(jid)), [id]: "'pkg.list_pkgs' is not available." }),
    };
    const r = await ingest({ salt: broken });
    assert.equal(r.invalid, 1);
    assert.equal(r.rowsWritten, 0);
  });

  test('a minion whose key left the fleet loses its inventory', async () => {
    const [id] = await present();
    sim.fleet.setKey(id, undefined);
    await ingestMinions({ db: handle.db, salt: client, masterId: 'default', now });
    const r = await ingest();
    assert.equal(r.minionsRemoved, 1);
    assert.equal((await rowsOf(id)).length, 0);
    const m = await handle.db.select().from(inventoryMinions).where(eq(inventoryMinions.minionId, id));
    assert.equal(m.length, 0);
    await assertVersionCounts();
  });

  test('every dispatch failing is an error; the poller reports partly failed batches', async () => {
    const down: InventorySalt = { localAsync: () => Promise.reject(new SaltApiUnavailable('refused')), lookupJid: salt.lookupJid };
    await assert.rejects(ingest({ salt: down }), /every pkg.list_pkgs dispatch failed: refused/);
    let n = 0;
    const flaky: InventorySalt = {
      localAsync: (tgt, fun, o) => (n++ === 0 ? Promise.reject(new Error('boom')) : salt.localAsync(tgt, fun, o)),
      lookupJid: salt.lookupJid,
    };
    const r = await ingest({ salt: flaky });
    assert.deepEqual(r.failedBatches, [{ minions: 7, message: 'boom' }]);
    assert.equal(r.returned, r.targeted - 7, 'the other batches were gathered');
    n = 0;
    const ctx = { db: handle.db, salt: flaky as never, logger: { info() {}, warn() {} } as never, signal: new AbortController().signal, now, masterId: 'default' };
    await assert.rejects(inventoryPoller.run(ctx), /dispatch failed: boom/);
  });

  test('an aborted tick writes nothing', async () => {
    const ctl = new AbortController();
    ctl.abort();
    const [id] = await present();
    edits.set(id, { zzz: '1' });
    const r = await ingest({ signal: ctl.signal });
    edits.clear();
    assert.equal(r.aborted, true);
    assert.equal(r.rowsWritten, 0);
  });
});

test('package sets: sorted whatever the return order, multi-versions split, the hash follows the content', async () => {
  const { parsePackageSet, packageSetHash } = await import('./packages.ts');
  const a = parsePackageSet({ zlib: '1.2', bash: '5.2-1', kernel: ['6.1', '5.10'] })!;
  assert.deepEqual(a, [['bash', '5.2-1'], ['kernel', '5.10'], ['kernel', '6.1'], ['zlib', '1.2']]);
  const b = parsePackageSet({ bash: '5.2-1', kernel: '6.1,5.10', zlib: '1.2' })!;
  assert.deepEqual(b, a);
  assert.equal(packageSetHash('deb', a), packageSetHash('deb', b));
  assert.notEqual(packageSetHash('deb', a), packageSetHash('rpm', a));
  assert.notEqual(packageSetHash('deb', a), packageSetHash('deb', parsePackageSet({ bash: '5.2-2', kernel: '6.1,5.10', zlib: '1.2' })!));
  assert.equal(parsePackageSet("'pkg.list_pkgs' is not available."), null);
  assert.equal(parsePackageSet(['a']), null);
});
