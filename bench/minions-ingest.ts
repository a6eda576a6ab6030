/**
 * @module
 * The minions tick and the minion list against the simulator. For each fleet size it prints:
 * the bare time of fetching and JSON-parsing the three salt-api answers (key.list_all,
 * manage.present, cache.grains), the first tick, a steady tick with nothing changed and one with
 * 1% of the minions' grains changed (time, rows written, ratio to the bare fetch), the peak heap
 * during the ticks, and `GET /api/minions` latency (p50/p99) for common filters.
 *
 *   npx tsx bench/minions-ingest.ts [sizes…]        # default: 1000 10000 50000
 *   HALITE_BENCH_DATABASE_URL=postgres://… npx tsx bench/minions-ingest.ts 10000
 *
 * PGlite by default; PostgreSQL when HALITE_BENCH_DATABASE_URL (or HALITE_TEST_DATABASE_URL) is
 * set. The simulator runs in a child process (bench/minions-sim.ts), like a real salt-api would.
 * Prints figures, never passes or fails on time.
 */
import { fork } from 'node:child_process';
import { SaltApiClient } from '../src/salt/client.ts';
import { openTestDb } from '../test/support/db.ts';
import { createApp } from '../src/main.ts';
import { testSettings } from '../src/config.ts';
import { silentLogger } from '../src/log.ts';
import { loadAssets } from '../src/http/load-assets.ts';
import { prepareAuth } from '../src/auth/bootstrap.ts';
import { signInAdmin } from '../test/support/auth.ts';
import { ingestMinions, type IngestResult } from '../src/minions/ingest.ts';
import type { DbEngine } from '../src/db/types.ts';

const NOW = Date.parse('2026-11-25T10:00:00Z');
const url = process.env.HALITE_BENCH_DATABASE_URL ?? process.env.HALITE_TEST_DATABASE_URL;
if (url) process.env.HALITE_TEST_DATABASE_URL = url;
const engine: DbEngine = url ? 'postgres' : 'pglite';
const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);

const ms = (x: number) => `${x.toFixed(0)} ms`;
const mb = (x: number) => `${(x / 1024 / 1024).toFixed(0)} MB`;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

/** Peak heap while `fn` runs, sampled every 5 ms (plus before and after). */
async function withPeakHeap<T>(fn: () => Promise<T>): Promise<{ value: T; peak: number; base: number }> {
  global.gc?.();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 5);
  try {
    const value = await fn();
    peak = Math.max(peak, process.memoryUsage().heapUsed);
    return { value, peak, base };
  } finally {
    clearInterval(timer);
  }
}

async function bench(n: number): Promise<void> {
  const child = fork(new URL('./minions-sim.ts', import.meta.url).pathname, [String(n)], { execArgv: ['--import', 'tsx'] });
  const ask = <T>(msg?: object) =>
    new Promise<T>((resolve) => {
      child.once('message', (m) => resolve(m as T));
      if (msg) child.send(msg);
    });
  const sim = await ask<{ url: string; accepted: number; sample: Record<string, unknown> }>();
  const client = new SaltApiClient({ url: sim.url, username: 'saltdev', password: 'x', eauth: 'auto', timeoutMs: 300_000 });
  const handle = await openTestDb(engine);
  try {
    await client.login();
    // The bare cost: the same three calls, fetched and JSON-parsed, nothing else.
    const bareFetch = async () => {
      const t = performance.now();
      await Promise.all([client.wheelCall('key.list_all'), client.listConnectedMinions(), client.runnerCall('cache.grains', { tgt: '*' })]);
      return performance.now() - t;
    };
    await bareFetch(); // warm-up (connections, JIT)
    let at = NOW;
    const tick = () => withPeakHeap(() => ingestMinions({ db: handle.db, salt: client, masterId: 'default', now: () => new Date((at += 60_000)) }));
    type Tick = Awaited<ReturnType<typeof tick>> & { bare: number };
    // Each tick is paired with a bare fetch just before it (the host is shared and noisy, so a
    // ratio against a fetch measured minutes earlier would mostly measure the noise).
    const paired = async (): Promise<Tick> => {
      const bare = await bareFetch();
      return { ...(await tick()), bare };
    };
    const first = await paired();
    const median = (rs: Tick[]) => [...rs].sort((a, b) => a.value.totalMs / a.bare - b.value.totalMs / b.bare)[1]!;
    const unchanged = [await paired(), await paired(), await paired()];
    const onePct: Tick[] = [];
    let changed = 0;
    for (let i = 0; i < 3; i++) {
      changed = (await ask<{ changed: number }>({ change: 0.01 })).changed;
      onePct.push(await paired());
    }

    const line = (label: string, r: Tick) =>
      console.log(
        `  ${label.padEnd(24)} ${ms(r.value.totalMs).padStart(8)}  (salt ${ms(r.value.fetchMs)}, db+reconcile ${ms(r.value.totalMs - r.value.fetchMs)})` +
          `  rows written ${String(r.value.rowsWritten).padStart(6)}  bare ${ms(r.bare)} → ${(r.value.totalMs / r.bare).toFixed(2)}×  peak heap +${mb(r.peak - r.base)}`,
      );
    console.log(`\n${n} minions (${engine}); ${sim.accepted} accepted (steady lines: the median of 3 by ratio)`);
    line('first tick', first);
    line('steady, 0% changed', median(unchanged));
    line(`steady, 1% changed (${changed})`, median(onePct));
    console.log(`  process max RSS so far ${mb(process.resourceUsage().maxRSS * 1024)}`);

    // The list through the whole HTTP stack (auth, guard + audit, query, JSON).
    const app = createApp(testSettings(), { db: handle.db, logger: silentLogger, assets: loadAssets('public'), now: () => new Date(NOW + 120_000) });
    await prepareAuth(handle.db);
    const admin = await signInAdmin(app);
    const sample = sim.sample;
    const queries: [string, string][] = [
      ['no filter', ''],
      ['key_status=pending', 'key_status=pending'],
      ['os', `os=${encodeURIComponent(String(sample.os))}`],
      ['role', `role=${encodeURIComponent(String((sample.roles as string[])[0]))}`],
      ['present=false, -last_seen', 'present=false&sort=-last_seen'],
      ['free text (grain value)', `q=${encodeURIComponent(String(sample.osrelease ?? sample.os))}`],
      ['free text (no match)', 'q=zz-no-such-text'],
    ];
    console.log('  GET /api/minions?…                     p50       p99   total');
    for (const [label, qs] of queries) {
      const times: number[] = [];
      let total = 0;
      for (let i = 0; i < 60; i++) {
        const t = performance.now();
        const res = await app.request(`/api/minions?${qs}&limit=50`, { headers: admin.get });
        const body = (await res.json()) as { total: number };
        times.push(performance.now() - t);
        total = body.total;
      }
      const warm = times.slice(10);
      console.log(`  ${label.padEnd(36)} ${ms(pct(warm, 50)).padStart(8)}  ${ms(pct(warm, 99)).padStart(8)}  ${String(total).padStart(6)}`);
    }
  } finally {
    await client.logout().catch(() => {});
    child.send({ stop: true });
    await new Promise((resolve) => child.once('exit', resolve));
    await handle.close();
  }
}

for (const n of sizes.length ? sizes : [1000, 10_000, 50_000]) await bench(n);
