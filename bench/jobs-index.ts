/**
 * @module
 * Jobs index benchmark: N jobs (default 100,000) in a fake master's job cache, ingested through
 * `ingestJobs` (the `list_jobs` reply is generated here, so salt-api's own time is left out), then
 * the list queries behind `GET /api/jobs` timed on the full table. Prints:
 *   1. the first tick (every job upserted, with the longest event-loop stall) and a steady tick
 *      (the overlap window only);
 *   2. p50/p99 of the list query: default page, function prefix, user, status=complete with 20
 *      running jids, a deep page, a time range, and recentJobsForMinion.
 * Prints figures; never passes or fails on time.
 *
 *   npx tsx bench/jobs-index.ts                                  # PGlite, in memory
 *   npx tsx bench/jobs-index.ts --engine postgres --url postgres://postgres@127.0.0.1:5432/postgres
 *   options: --jobs 100000 --queries 200
 */
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import type { DbEngine, DbHandle } from '../src/db/types.ts';
import { ActiveJobs } from '../src/jobs/active.ts';
import { ingestJobs, type JobsSalt } from '../src/jobs/ingest.ts';
import { listJobs, recentJobsForMinion } from '../src/jobs/service.ts';
import { JobQuery } from '../src/jobs/schemas.ts';
import { jidTime } from '../src/jobs/time.ts';
import { openScratchDb } from '../test/support/db.ts';

const { values: args } = parseArgs({
  options: {
    engine: { type: 'string', default: 'pglite' },
    url: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    jobs: { type: 'string', default: '100000' },
    queries: { type: 'string', default: '200' },
  },
});
const JOBS = Number(args.jobs);
const QUERIES = Number(args.queries);
const NOW = Date.UTC(2026, 10, 24, 16, 0, 0);
const SPAN = 7 * 86_400_000;
const FUNCTIONS = ['test.ping', 'state.apply', 'state.highstate', 'cmd.run', 'grains.items', 'pkg.list_pkgs', 'saltutil.sync_all', 'test.version'];
const USERS = ['saltdev', 'root', 'alice', 'bob'];
const MINIONS = Array.from({ length: 2000 }, (_, i) => `minion${String(i).padStart(5, '0')}`);

function pad(n: number, w: number): string {
  return String(n).padStart(w, '0');
}

/** Job i: spread over the last 7 days, jid from its time. */
function jidOf(i: number): string {
  const t = new Date(NOW - SPAN + Math.floor((i * SPAN) / JOBS));
  const s = `${t.getUTCFullYear()}${pad(t.getUTCMonth() + 1, 2)}${pad(t.getUTCDate(), 2)}${pad(t.getUTCHours(), 2)}${pad(t.getUTCMinutes(), 2)}${pad(t.getUTCSeconds(), 2)}`;
  return s + pad((t.getUTCMilliseconds() * 1000 + (i % 1000)) % 1_000_000, 6);
}

const cache: Record<string, unknown> = {};
for (let i = 0; i < JOBS; i++) {
  const jid = jidOf(i);
  const t = jidTime(jid)!;
  const month = t.toUTCString().slice(8, 11);
  cache[jid] = {
    Function: FUNCTIONS[i % FUNCTIONS.length],
    Arguments: i % 3 ? [] : ['demo'],
    Target: i % 5 ? '*' : MINIONS[i % MINIONS.length],
    'Target-type': 'glob',
    User: USERS[i % USERS.length],
    StartTime: `${t.getUTCFullYear()}, ${month} ${pad(t.getUTCDate(), 2)} ${t.toISOString().slice(11, 19)}.${jid.slice(14)}`,
  };
}

/** A master that honours list_jobs' start_time like Salt does. */
const salt: JobsSalt = {
  async runnerCall(fun, kwarg) {
    if (fun === 'jobs.list_jobs') {
      const since = kwarg?.start_time ? Date.parse(`${String(kwarg.start_time).replace(' ', 'T')}Z`) : 0;
      // Everything (the first tick): no filtering here, so the stall measured is Halite's.
      if (since <= NOW - SPAN) return cache;
      return Object.fromEntries(Object.entries(cache).filter(([jid]) => jidTime(jid)!.getTime() >= since));
    }
    if (fun === 'jobs.list_job') return { Minions: MINIONS.slice(0, 3), Result: {} };
    return {};
  },
};

async function open(): Promise<{ handle: DbHandle; drop: () => Promise<void> }> {
  const handle = await openScratchDb(args.engine as DbEngine, args.url, 'halite_bench_');
  return { handle, drop: () => handle.close() };
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function time(label: string, fn: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 5; i++) await fn(i); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < QUERIES; i++) {
    const t = performance.now();
    await fn(i);
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  console.log(`  ${label.padEnd(40)} p50 ${pct(ms, 50).toFixed(2).padStart(8)} ms   p99 ${pct(ms, 99).toFixed(2).padStart(8)} ms`);
}

const { handle, drop } = await open();
try {
  const active = new ActiveJobs();
  const now = () => new Date(NOW);
  console.log(`jobs index benchmark: ${JOBS} jobs, ${args.engine}`);
  // The longest the event loop went without a turn during the first tick (PGlite runs SQL on it).
  let last = performance.now();
  let stall = 0;
  const probe = setInterval(() => {
    const n = performance.now();
    stall = Math.max(stall, n - last);
    last = n;
  }, 5);
  let t = performance.now();
  const first = await ingestJobs({ db: handle.db, salt, masterId: 'default', now, active, firstWindowMs: SPAN + 60_000, retentionDays: 90, enrichLimit: 50 });
  clearInterval(probe);
  console.log(`first tick:  ${(performance.now() - t).toFixed(0)} ms (${first.upserted} upserted, ${first.enriched} looked up; longest event-loop stall ${stall.toFixed(0)} ms)`);
  t = performance.now();
  const steady = await ingestJobs({ db: handle.db, salt, masterId: 'default', now, active, retentionDays: 90, enrichLimit: 50 });
  console.log(`steady tick: ${(performance.now() - t).toFixed(0)} ms (${steady.listed} in the overlap window, ${steady.enriched} looked up)`);

  // Give every job its minions (enrichment is bounded per tick; here the whole table at once).
  await handle.db.execute(sql`update jobs_index set
    minions = array['minion' || lpad((abs(hashtext(jid)) % 2000)::text, 5, '0'), 'minion' || lpad((abs(hashtext(jid || 'x')) % 2000)::text, 5, '0')],
    minion_count = 2, returned = 2, succeeded = 2, failed = 0, summary_at = now()`);
  await handle.db.execute(sql`analyze jobs_index`);
  const running = Object.keys(cache).slice(-20);
  active.set('default', new Map(running.map((j) => [j, ['minion00001']])), new Date(NOW));

  console.log('list queries (limit 50, with the total count):');
  const q = (o: Record<string, string>) => JobQuery.parse(o);
  await time('default page', () => listJobs(handle.db, q({}), { active }));
  await time('function=state. (prefix)', () => listJobs(handle.db, q({ function: 'state.' }), { active }));
  await time('function=state.highstate, user=alice', () => listJobs(handle.db, q({ function: 'state.highstate', user: 'alice' }), { active }));
  // The worst case: nothing matches, so the page query walks the whole start-time index.
  await time('function=test.ping, user=alice (none)', () => listJobs(handle.db, q({ function: 'test.ping', user: 'alice' }), { active }));
  await time('status=complete', () => listJobs(handle.db, q({ status: 'complete' }), { active }));
  await time('status=running', () => listJobs(handle.db, q({ status: 'running' }), { active }));
  await time('offset=5000', () => listJobs(handle.db, q({ offset: '5000' }), { active }));
  await time('one-day range', () => listJobs(handle.db, q({ from: '2026-11-20T00:00:00Z', to: '2026-11-21T00:00:00Z' }), { active }));
  await time('minion=… (GIN)', (i) => listJobs(handle.db, q({ minion: MINIONS[i % MINIONS.length] }), { active }));
  await time('recentJobsForMinion(…, 20)', (i) => recentJobsForMinion(handle.db, MINIONS[i % MINIONS.length], 20, { active }));
} finally {
  await drop();
}
