import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine } from '../../test/support/db.ts';
import { useTestApp } from '../../test/support/app.ts';
import { signInAdmin, userWithRoles } from '../../test/support/auth.ts';
import { startSimulator, type Simulator } from '../../sim/server.ts';
import { SaltApiClient } from '../salt/client.ts';
import { ingestMinions } from '../minions/ingest.ts';

describeEachEngine('overview page', (engine) => {
  const ctx = useTestApp(engine);
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ preset: 'lab', presenceIntervalMs: 0 });
  });
  after(() => sim.close());

  test('counts come from the snapshot, and each card only for what the user may see', async () => {
    const { app, handle } = ctx();
    const salt = new SaltApiClient({ url: sim.url, username: 'saltdev', password: 'x', eauth: 'auto', sleep: async () => {} });
    await ingestMinions({ db: handle.db, salt, masterId: 'default', now: () => new Date() });
    await salt.logout().catch(() => {});

    const admin = await signInAdmin(app);
    const page = await (await app.request('/', { headers: { ...admin.get, Accept: 'text/html' } })).text();
    // The lab: web01 and web02 accepted and up, db01 pending.
    assert.match(page, /Minions<\/div><div class="value">2<\/div><div class="muted">2 up, 0 down/);
    assert.match(page, /Pending keys<\/div><div class="value text-warn">1</);
    assert.match(page, /Open fleet/);

    const viewer = await userWithRoles(app, handle.db, 'ovv', ['viewer']);
    const vpage = await (await app.request('/', { headers: { ...viewer.get, Accept: 'text/html' } })).text();
    assert.match(vpage, /Open minions/);
    assert.doesNotMatch(vpage, /Open fleet/, 'a viewer has no view:fleet:*');
  });
});
