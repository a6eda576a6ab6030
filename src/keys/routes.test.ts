/** @module The key routes against the simulator: live list, each action (really applied, snapshot updated, audited), both faces, failures, permissions. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import { describeEachEngine } from '../../test/support/db.ts';
import { useTestApp } from '../../test/support/app.ts';
import { signInAdmin, userWithRoles, type TestSession } from '../../test/support/auth.ts';
import { startSimulator, type Simulator } from '../../sim/server.ts';
import { SaltApiClient } from '../salt/client.ts';
import type { Runtime } from '../runtime-types.ts';
import { auditLog } from '../auth/model.ts';
import { minionSnapshots } from '../minions/model.ts';
import { ingestMinions } from '../minions/ingest.ts';
import { KeyActionResult, KeyList } from './schemas.ts';

const T0 = Date.parse('2026-11-25T10:00:00Z');

describeEachEngine('key routes', (engine) => {
  let sim: Simulator;
  let client: SaltApiClient | null;
  const runtime: Runtime = {
    get salt() {
      return client;
    },
    status: () => ({ state: client ? 'ok' : 'unconfigured', message: null, since: new Date(T0).toISOString(), nextRetryAt: null }),
  };
  const ctx = useTestApp(engine, { deps: { runtime, now: () => new Date(T0) } });
  let admin: TestSession;

  before(async () => {
    sim = await startSimulator({ minions: 40, clock: () => T0, presenceIntervalMs: 0 });
    for (const id of ['new01', 'new02', 'new03', 'new04']) sim.fleet.addMinion(id, 'pending');
    client = new SaltApiClient({ url: sim.url, username: 'saltdev', password: 'x', eauth: 'auto', sleep: async () => {} });
    await ingestMinions({ db: ctx().handle.db, salt: client, masterId: 'default', now: () => new Date(T0) });
    admin = await signInAdmin(ctx().app);
  });
  after(async () => {
    await client?.logout().catch(() => {});
    await sim.close();
  });

  const req = (path: string, init: RequestInit & { as?: TestSession } = {}) => {
    const s = init.as ?? admin;
    return ctx().app.request(path, { ...init, headers: { ...s.json, ...((init.headers as Record<string, string>) ?? {}) } });
  };
  const snapshotRow = async (id: string) =>
    (await ctx().handle.db.select().from(minionSnapshots).where(and(eq(minionSnapshots.masterId, 'default'), eq(minionSnapshots.id, id))))[0];
  const audited = async (action: string, id: string) =>
    (await ctx().handle.db.select().from(auditLog).where(and(eq(auditLog.action, action), eq(auditLog.resource, `key:${id}`)))).map((r) => r.decision);

  test('GET /api/keys: every status with fingerprints, live', async () => {
    const res = await req('/api/keys');
    assert.equal(res.status, 200);
    const list = KeyList.parse(await res.json());
    assert.equal(list.source, 'live');
    const pending = list.pending.map((k) => k.id);
    assert.ok(['new01', 'new02', 'new03', 'new04'].every((id) => pending.includes(id)));
    assert.equal(list.accepted.length, sim.fleet.idsWithKey('accepted').length);
    assert.equal(list.rejected.length, sim.fleet.idsWithKey('rejected').length);
    assert.equal(list.denied.length, sim.fleet.idsWithKey('denied').length);
    assert.equal(list.pending.find((k) => k.id === 'new01')!.fingerprint, sim.fleet.fingerprint('new01'));
    const html = await (await req('/api/keys', { headers: { 'HX-Request': 'true' } })).text();
    assert.ok(html.includes('id="key-new01"') && html.includes(sim.fleet.fingerprint('new01')));
    assert.ok(html.includes('hx-post="/api/keys/accept"'), 'the admin may accept several at once');
    const page = await (await req('/keys', { headers: { Accept: 'text/html' } })).text();
    const badge = new RegExp(`id="nav-badge-keys"[^>]*>${sim.fleet.idsWithKey('pending').length}<`);
    assert.match(page, badge, 'the navigation counts the pending keys');
  });

  test('accept: the key is accepted in Salt and in the snapshot at once, and audited', async () => {
    const res = await req('/api/keys/new01/accept', { method: 'POST' });
    assert.equal(res.status, 200, await res.clone().text());
    const r = KeyActionResult.parse(await res.json());
    assert.deepEqual(r.changed, [{ id: 'new01', status: 'accepted' }]);
    assert.equal(sim.fleet.keyState('new01'), 'accepted');
    assert.equal((await snapshotRow('new01'))!.keyStatus, 'accepted');
    assert.deepEqual(await audited('key.accept', 'new01'), ['ok']);
    assert.ok((await audited('accept', 'new01')).includes('allow'), 'the guard audited the permission');
  });

  test('reject an accepted key really rejects it (include_accepted)', async () => {
    const tick = () => ingestMinions({ db: ctx().handle.db, salt: client!, masterId: 'default', now: () => new Date(T0) });
    await tick(); // new01's presence and grains arrive with the tick after its acceptance
    const [victim] = sim.fleet.idsWithKey('accepted');
    const res = await req(`/api/keys/${victim}/reject`, { method: 'POST', headers: { 'HX-Request': 'true' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('HX-Trigger'), 'keys-changed');
    assert.match(await res.text(), new RegExp(`Rejected: ${victim}`));
    assert.equal(sim.fleet.keyState(victim!), 'rejected');
    const row = (await snapshotRow(victim!))!;
    assert.equal(row.keyStatus, 'rejected');
    assert.equal(row.present, false);
    // The next tick agrees with what the action wrote: nothing to rewrite for that row.
    assert.equal((await tick()).rowsWritten, 0);
  });

  test('delete removes the key and the snapshot row; an unknown key is 404', async () => {
    const res = await req('/api/keys/new02', { method: 'DELETE' });
    assert.equal(res.status, 200);
    assert.equal(sim.fleet.keyState('new02'), undefined);
    assert.equal(await snapshotRow('new02'), undefined);
    const missing = await req('/api/keys/nosuchkey', { method: 'DELETE' });
    assert.equal(missing.status, 404);
    assert.deepEqual(await audited('key.delete', 'nosuchkey'), ['error']);
    assert.equal((await req('/api/keys/nosuchkey/accept', { method: 'POST' })).status, 404);
  });

  test('a denied key cannot be accepted: 409 with the reason', async () => {
    const [denied] = sim.fleet.idsWithKey('denied');
    const res = await req(`/api/keys/${denied}/accept`, { method: 'POST' });
    assert.equal(res.status, 409);
    assert.match(((await res.json()) as { message: string }).message, /denied/);
    assert.equal(sim.fleet.keyState(denied!), 'denied');
  });

  test('glob characters in an id are refused before Salt sees them', async () => {
    for (const id of ['new*', 'a,b', '[ab]c']) {
      const res = await req(`/api/keys/${encodeURIComponent(id)}`, { method: 'DELETE' });
      assert.equal(res.status, 422, id);
      assert.equal(((await res.json()) as { fields: { field: string }[] }).fields[0]!.field, 'id');
    }
    assert.equal(sim.fleet.keyState('new03'), 'pending');
  });

  test('accept several: JSON and the form, with the keys that did not change reported', async () => {
    const res = await req('/api/keys/accept', { method: 'POST', body: JSON.stringify({ ids: ['new03', 'ghost'] }) });
    assert.equal(res.status, 200);
    const r = KeyActionResult.parse(await res.json());
    assert.deepEqual(r.changed, [{ id: 'new03', status: 'accepted' }]);
    assert.deepEqual(r.unchanged, [{ id: 'ghost', status: null, reason: 'no such key' }]);
    sim.fleet.addMinion('new05', 'pending');
    const form = await ctx().app.request('/api/keys/accept', {
      method: 'POST',
      headers: { Cookie: admin.cookie, 'X-CSRF-Token': admin.csrf, 'Content-Type': 'application/x-www-form-urlencoded', 'HX-Request': 'true' },
      body: 'ids=new04&ids=new05',
    });
    assert.equal(form.status, 200, await form.clone().text());
    assert.match(await form.text(), /Accepted: new04, new05/);
    assert.equal(sim.fleet.keyState('new04'), 'accepted');
    assert.equal((await snapshotRow('new05'))!.keyStatus, 'accepted', 'a key the snapshot did not know yet is added');
    const empty = await req('/api/keys/accept', { method: 'POST', body: JSON.stringify({ ids: [] }) });
    assert.equal(empty.status, 422);
  });

  test('permissions: a viewer lists but may not act; an operator may', async () => {
    sim.fleet.addMinion('new06', 'pending');
    const viewer = await userWithRoles(ctx().app, ctx().handle.db, 'vic', ['viewer']);
    assert.equal((await req('/api/keys', { as: viewer })).status, 200);
    const page = await (await req('/keys', { as: viewer, headers: { Accept: 'text/html' } })).text();
    assert.ok(!page.includes('hx-post="/api/keys/new06/accept"'), 'no button the viewer cannot use');
    assert.equal((await req('/api/keys/new06/accept', { method: 'POST', as: viewer })).status, 403);
    assert.equal((await req('/api/keys/accept', { method: 'POST', as: viewer, body: JSON.stringify({ ids: ['new06'] }) })).status, 403);
    assert.equal(sim.fleet.keyState('new06'), 'pending');
    const operator = await userWithRoles(ctx().app, ctx().handle.db, 'otto', ['operator']);
    assert.equal((await req('/api/keys/new06/accept', { method: 'POST', as: operator })).status, 200);
  });

  test('salt-api failing is 502; Salt missing is 503 for actions and the snapshot for the list', async () => {
    sim.faults.failNext(10, 500);
    const failed = await req('/api/keys/new06/reject', { method: 'POST' });
    assert.equal(failed.status, 502);
    sim.faults.clear();
    const saved = client;
    client = null;
    try {
      assert.equal((await req('/api/keys/new06/reject', { method: 'POST' })).status, 503);
      const list = KeyList.parse(await (await req('/api/keys')).json());
      assert.equal(list.source, 'snapshot');
      assert.match(list.message!, /not configured/);
      assert.ok(list.accepted.some((k) => k.id === 'new06' && k.fingerprint === null));
    } finally {
      client = saved;
    }
  });
});
