/** @module The minions poller inside RuntimeConfig: it fills the snapshot at boot, and a failed part reaches the poller status. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { describeEachEngine, openTestDb } from '../../test/support/db.ts';
import { startSimulator, type Simulator } from '../../sim/server.ts';
import { silentLogger } from '../log.ts';
import { RuntimeConfig } from '../runtime.ts';
import { updateSettings } from '../settings/service.ts';
import type { DbHandle } from '../db/types.ts';
import { minionSnapshots } from './model.ts';
import { minionsPoller } from './scheduler.ts';

const KEY = 'minions-scheduler-test-key-0123456789abcdef';

/** Waits for a condition without sleeping a fixed time. */
async function until(cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setImmediate(r));
  }
}

describeEachEngine('minions poller in the runtime', (engine) => {
  let handle: DbHandle;
  let sim: Simulator;
  let rt: RuntimeConfig | null = null;

  before(async () => {
    handle = await openTestDb(engine);
    sim = await startSimulator({ minions: 25, presenceIntervalMs: 0 });
    await updateSettings(handle.db, KEY, {
      salt_api_url: sim.url, salt_api_username: 'saltdev', salt_api_password: 'pw', salt_api_eauth: 'auto',
      minions_poll_interval_s: 60, jobs_poll_interval_s: 0, fleet_poll_interval_s: 0, inventory_poll_interval_s: 0,
    }, 'test');
  });
  after(async () => {
    await rt?.stop();
    await sim.close();
    await handle.close();
  });

  test('boot runs the poller once: the snapshot holds every key; a failing part becomes the poller error', async () => {
    rt = new RuntimeConfig({ secretKey: KEY, logger: silentLogger, clientOverrides: { maxRetries: 0, sleep: async () => {} } });
    rt.registerPoller(minionsPoller);
    await rt.boot(handle.db);
    const status = () => rt!.pollerStatus().find((p) => p.name === 'minions')!;
    await until(() => status().last_success_at !== null && !status().running);
    const rows = await handle.db.select({ id: minionSnapshots.id }).from(minionSnapshots).where(eq(minionSnapshots.masterId, 'default'));
    assert.equal(rows.length, sim.fleet.allIds().filter((id) => sim.fleet.keyState(id)).length);
    assert.equal(status().interval_s, 60);

    // cache.grains answering 500 (a runner exception): keys and presence still land, the error is recorded.
    const realRunner = rt.salt!.runnerCall.bind(rt.salt!);
    rt.salt!.runnerCall = (fun, kw, arg) => (fun === 'cache.grains' ? Promise.reject(new Error('cache.grains exploded')) : realRunner(fun, kw, arg));
    sim.fleet.addMinion('late01', 'pending');
    assert.equal(await rt.runPoller('minions'), 'ran');
    assert.match(status().last_error ?? '', /grains failed \(cache\.grains exploded\)/);
    const late = await handle.db.select().from(minionSnapshots).where(eq(minionSnapshots.id, 'late01'));
    assert.equal(late[0]?.keyStatus, 'pending', 'the key part was committed');
    assert.equal(rt.status().state, 'ok', 'a partial failure does not mark salt-api as down');
  });
});
