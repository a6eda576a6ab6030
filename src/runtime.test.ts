import { after, before, beforeEach, afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { scheduledJobs } from 'croner';
import { describeEachEngine, openTestDb } from '../test/support/db.ts';
import { startSimulator, type Simulator } from '../sim/server.ts';
import { silentLogger } from './log.ts';
import { RuntimeConfig, loginBackoffMs, type RuntimeTimers, type PollerContext } from './runtime.ts';
import { updateSettings } from './settings/service.ts';
import { staleDataBanner } from './runtime-pollers.ts';
import { sql } from 'drizzle-orm';
import type { DbHandle } from './db/types.ts';
import { SaltApiError, SaltApiUnavailable } from './salt/errors.ts';
import type { AppSettingsUpdate } from './settings/schemas.ts';

const KEY = 'runtime-test-secret-key-0123456789abcdef';

/** Timers fired by the test, not by the clock. */
function manualTimers() {
  const pending = new Map<number, { fn: () => void; ms: number }>();
  let next = 1;
  const timers: RuntimeTimers = {
    setTimeout(fn, ms) {
      const id = next++;
      pending.set(id, { fn, ms });
      return id;
    },
    clearTimeout(h) {
      pending.delete(h as number);
    },
  };
  return {
    timers,
    delays: () => [...pending.values()].map((p) => p.ms),
    /** Fires everything pending now. */
    fire() {
      const due = [...pending.values()];
      pending.clear();
      for (const p of due) p.fn();
    },
  };
}

const until = async (cond: () => boolean | Promise<boolean>, ms = 3000) => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

const livePollerJobs = () => scheduledJobs.filter((j) => j.name?.startsWith('halite:poller:') && !j.isStopped()).length;

describeEachEngine('RuntimeConfig', (engine) => {
  let handle: DbHandle;
  let sim: Simulator;
  let rt: RuntimeConfig | null = null;
  let clock: ReturnType<typeof manualTimers>;

  before(async () => {
    handle = await openTestDb(engine);
    sim = await startSimulator({ minions: 5, presenceIntervalMs: 0 });
  });
  after(async () => {
    await sim.close();
    await handle.close();
  });
  beforeEach(async () => {
    clock = manualTimers();
    sim.faults.clear();
    await handle.db.execute(sql`delete from app_settings`);
    await handle.db.execute(sql`delete from poller_status`);
  });
  afterEach(async () => {
    await rt?.stop();
    rt = null;
    assert.equal(livePollerJobs(), 0, 'stop() leaves no poller timer');
  });

  const configure = (patch: AppSettingsUpdate = {}, url = sim.url) =>
    updateSettings(handle.db, KEY, {
      salt_api_url: url, salt_api_username: 'saltdev', salt_api_password: 'pw', salt_api_eauth: 'auto',
      minions_poll_interval_s: 60, jobs_poll_interval_s: 0, fleet_poll_interval_s: 0, inventory_poll_interval_s: 0,
      ...patch,
    }, 'test');

  const make = () => {
    rt = new RuntimeConfig({
      secretKey: KEY, logger: silentLogger, timers: clock.timers, retireGraceMs: 0,
      clientOverrides: { maxRetries: 0, sleep: async () => {}, timeoutMs: 400 },
    });
    return rt;
  };

  /** A minions poller that counts its runs and asks salt-api for the connected minions. */
  const countingPoller = (runtime: RuntimeConfig) => {
    const runs = { ok: 0, started: 0 };
    runtime.registerPoller({
      name: 'minions', intervalKey: 'minions_poll_interval_s',
      async run(ctx: PollerContext) {
        runs.started++;
        await ctx.salt.listConnectedMinions();
        runs.ok++;
      },
    });
    return runs;
  };

  test('without settings: unconfigured, no client, no timers', async () => {
    const r = make();
    countingPoller(r);
    await r.boot(handle.db);
    assert.equal(r.status().state, 'unconfigured');
    assert.match(r.status().message ?? '', /No salt-api URL/);
    assert.equal(r.salt, null);
    assert.equal(r.liveTimers(), 0);
  });

  test('boot connects, starts the enabled pollers, runs them once, and records the success', async () => {
    await configure({ jobs_poll_interval_s: 0 });
    const r = make();
    const runs = countingPoller(r);
    let jobsRan = false;
    r.registerPoller({ name: 'jobs', intervalKey: 'jobs_poll_interval_s', run: async () => void (jobsRan = true) });
    await r.boot(handle.db);
    assert.equal(r.status().state, 'ok');
    assert.ok(r.salt);
    await until(() => runs.ok === 1 && !r.pollerStatus().some((p) => p.running));
    assert.equal(r.liveTimers(), 1, 'jobs is off (0 s): only minions is scheduled');
    assert.equal(jobsRan, false);
    const rows = await handle.db.execute(sql`select name from poller_status where last_success_at is not null`);
    const names = ((rows as { rows?: unknown[] }).rows ?? (rows as unknown as unknown[])).map((x) => (x as { name: string }).name);
    assert.deepEqual(names, ['minions']);
  });

  test('a refused login is retried with backoff and the status says why and when', async () => {
    await configure({ salt_api_eauth: 'pam' });
    const r = make();
    countingPoller(r);
    await r.boot(handle.db);
    const s = r.status();
    assert.equal(s.state, 'login_failed');
    assert.match(s.message ?? '', /401/);
    assert.ok(s.nextRetryAt);
    assert.equal(r.salt, null);
    assert.equal(r.liveTimers(), 0, 'no poller runs without a login');
    assert.deepEqual(clock.delays(), [2000]);
    const logins = sim.stats.logins;
    clock.fire();
    await until(() => sim.stats.logins === logins + 1 && clock.delays().length === 1);
    assert.deepEqual(clock.delays(), [4000], 'the second retry waits twice as long');
    assert.equal(r.status().since, s.since, 'still failing since the first failure');
    // Fixing the settings and saving recovers at once.
    await configure({ salt_api_eauth: 'auto' });
    await r.reload(handle.db);
    assert.equal(r.status().state, 'ok');
    assert.deepEqual(clock.delays(), [], 'the old retry timer is gone');
  });

  test('backoff doubles from 2 s and is capped at five minutes', () => {
    assert.deepEqual([0, 1, 2, 3].map(loginBackoffMs), [2000, 4000, 8000, 16000]);
    assert.equal(loginBackoffMs(30), 300_000);
  });

  test('salt-api down at boot: unreachable since T, then recovers by itself when it is back', async () => {
    await configure();
    const r = make();
    const runs = countingPoller(r);
    await sim.faults.down();
    try {
      await r.boot(handle.db);
      assert.equal(r.status().state, 'unreachable');
      assert.match(r.status().message ?? '', /ECONNREFUSED|unavailable/);
      assert.equal(r.salt, null);
    } finally {
      await sim.faults.up();
    }
    clock.fire();
    await until(() => r.status().state === 'ok');
    await until(() => runs.ok === 1 && !r.pollerStatus().some((p) => p.running));
    assert.equal(r.liveTimers(), 1);
    assert.equal(r.status().nextRetryAt, null);
  });

  for (const fault of ['down', '500', 'hang'] as const) {
    test(`salt-api ${fault} while connected: pollers pause, status says so, then it recovers by itself`, async () => {
      await configure();
      const r = make();
      const runs = countingPoller(r);
      await r.boot(handle.db);
      await until(() => runs.ok === 1 && !r.pollerStatus().some((p) => p.running));
      if (fault === 'down') await sim.faults.down();
      if (fault === '500') sim.faults.failNext(1000, 500, { includeLogin: true });
      if (fault === 'hang') sim.faults.latency(1000);
      try {
        assert.equal(await r.runPoller('minions'), 'ran');
        const s = r.status();
        assert.equal(s.state, 'unreachable');
        const expected = { down: /ECONNREFUSED|unavailable/, '500': /500: An unexpected error occurred/, hang: /timeout after 400 ms/ }[fault];
        assert.match(s.message ?? '', expected);
        assert.equal(r.salt, null, 'actions get a 503 instead of waiting on a dead salt-api');
        assert.equal(r.liveTimers(), 0, 'pollers paused while salt-api is away');
        assert.match(r.pollerStatus()[0]!.last_error ?? '', expected);
        clock.fire(); // a retry while it is still broken: still unreachable, next retry later
        await until(() => clock.delays().length === 1 && clock.delays()[0] === 4000);
        assert.equal(r.status().state, 'unreachable');
        assert.equal(r.status().since, s.since);
      } finally {
        sim.faults.clear();
        if (fault === 'down') await sim.faults.up();
      }
      clock.fire();
      await until(() => r.status().state === 'ok');
      await until(() => runs.ok === 2 && !r.pollerStatus().some((p) => p.running));
      assert.equal(r.liveTimers(), 1);
      assert.equal(r.pollerStatus()[0]!.stale, false);
    });
  }

  test("a route's failed call puts the runtime into recovery at once; other errors do not", async () => {
    await configure();
    const r = make();
    const runs = countingPoller(r);
    await r.boot(handle.db);
    await until(() => runs.ok === 1 && !r.pollerStatus().some((p) => p.running));
    r.noteSaltFailure(new SaltApiError(400, 'bad lowstate'));
    assert.equal(r.status().state, 'ok', 'a call the route got wrong says nothing about salt-api');
    r.noteSaltFailure(new SaltApiUnavailable('salt-api at x unavailable: ECONNREFUSED (1 attempt)'));
    assert.equal(r.status().state, 'unreachable');
    assert.equal(r.liveTimers(), 0);
    assert.deepEqual(clock.delays(), [2000]);
    clock.fire();
    await until(() => r.status().state === 'ok');
  });

  test('reloading 50 times during a slow poll leaves exactly one poller, one timer, one connection', async () => {
    // Count the TCP connections to salt-api through a small proxy.
    const sockets = new Set<Socket>();
    const proxy: Server = createServer((client) => {
      sockets.add(client);
      const upstream = connect(sim.port, '127.0.0.1');
      client.pipe(upstream).pipe(client);
      const done = () => {
        sockets.delete(client);
        client.destroy();
        upstream.destroy();
      };
      client.on('close', done).on('error', done);
      upstream.on('close', done).on('error', done);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
    try {
      await configure({}, proxyUrl);
      const r = make();
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let concurrent = 0;
      let maxConcurrent = 0;
      let runs = 0;
      r.registerPoller({
        name: 'minions', intervalKey: 'minions_poll_interval_s',
        async run(ctx) {
          runs++;
          concurrent++;
          maxConcurrent = Math.max(maxConcurrent, concurrent);
          try {
            await ctx.salt.listConnectedMinions();
            if (runs === 1) await gate;
          } finally {
            concurrent--;
          }
        },
      });
      await r.boot(handle.db);
      await until(() => runs === 1);
      const reloads: Promise<void>[] = [];
      for (let i = 0; i < 50; i++) {
        reloads.push(r.reload(handle.db));
        if (i % 10 === 0) await reloads[i]; // some back to back, some while another is queued
      }
      await Promise.all(reloads);
      assert.equal(r.status().state, 'ok');
      assert.equal(r.liveTimers(), 1);
      assert.equal(livePollerJobs(), 1, 'croner has exactly one live poller job');
      assert.equal(runs, 1, 'the new generation did not start a second copy while the first runs');
      release();
      await until(() => r.pollerStatus()[0]!.running === false);
      assert.equal(r.pollerStatus()[0]!.last_success_at, null, 'the aborted run of an old generation records nothing');
      assert.equal(await r.runPoller('minions'), 'ran');
      assert.equal(maxConcurrent, 1);
      assert.equal(r.pollerStatus()[0]!.last_success_at !== null, true, 'the run of the current generation recorded');
      await until(() => sockets.size === 1, 3000);
    } finally {
      await rt?.stop();
      rt = null;
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });

  test('the last success survives a restart, and old data is reported stale', async () => {
    await configure();
    const r = make();
    const runs = countingPoller(r);
    await r.boot(handle.db);
    await until(() => runs.ok === 1 && !r.pollerStatus().some((p) => p.running));
    await until(() => r.pollerStatus()[0]!.last_success_at !== null);
    const last = r.pollerStatus()[0]!.last_success_at!;
    await r.stop();
    rt = null;
    // A second process, eleven minutes later, with salt-api refusing it.
    await configure({ salt_api_eauth: 'pam' });
    let now = Date.now() + 11 * 60_000;
    rt = new RuntimeConfig({ secretKey: KEY, logger: silentLogger, timers: clock.timers, now: () => now, clientOverrides: { maxRetries: 0 } });
    countingPoller(rt);
    await rt.boot(handle.db);
    const p = rt.pollerStatus()[0]!;
    assert.equal(p.last_success_at, last);
    assert.equal(p.stale, true, 'older than ten minutes (and three 60 s intervals)');
    assert.match(staleDataBanner(rt.pollerStatus(), now)?.message ?? '', /minions updated 11 min ago/);
    now -= 2 * 60_000;
    assert.equal(rt.pollerStatus()[0]!.stale, false, '9 minutes is not stale yet');
    assert.equal(staleDataBanner(rt.pollerStatus(), now), null);
  });
});
