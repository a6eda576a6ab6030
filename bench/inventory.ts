/**
 * @module
 * Inventory ingest benchmark: N minions × P packages (default 10,000 × 500 = 5M rows) written
 * through the ingest's diff/write layer (src/inventory/write.ts) with generated package sets, in
 * the ingest's batches of 500 minions with a yield between batches — the HTTP path is left out
 * (salt-api's own time is not ours to measure). Prints:
 *   1. the first tick (every row inserted): time and rows written;
 *   2. a steady tick where 1% of the minions upgraded 3 packages: time and rows written;
 *   3. latency (p50/p95/p99) of the version-comparison search, the versions list and a name
 *      prefix page, on the full table.
 * Prints figures; never passes or fails on time.
 *
 *   npx tsx bench/inventory.ts                                   # PGlite, in memory
 *   npx tsx bench/inventory.ts --engine postgres --url postgres://postgres@127.0.0.1:5432/postgres
 *   options: --minions 10000 --packages 500 --searches 200
 */
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import type { DbEngine, DbHandle } from '../src/db/types.ts';
import { minionPackages, type MinionPackages } from '../src/inventory/packages.ts';
import { applyPackageSets, rowsOf, storedHashes } from '../src/inventory/write.ts';
import { listPackages, packageVersions, searchByVersion } from '../src/inventory/service.ts';
import { VERSION_OPERATORS } from '../src/inventory/version.ts';
import { openScratchDb } from '../test/support/db.ts';

const { values: args } = parseArgs({
  options: {
    engine: { type: 'string', default: 'pglite' },
    url: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    minions: { type: 'string', default: '10000' },
    packages: { type: 'string', default: '500' },
    searches: { type: 'string', default: '200' },
    batch: { type: 'string', default: '500' },
  },
});
const MINIONS = Number(args.minions);
const PACKAGES = Number(args.packages);
const SEARCHES = Number(args.searches);
const BATCH = Number(args.batch);
const MASTER = 'default';

/** FNV-1a: cheap, so the figures measure the database and the diff, not the data generator. */
function h32(...parts: (string | number)[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    const s = String(part);
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 0xff, 0x01000193);
  }
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return (h ^ (h >>> 12)) >>> 0;
}

const memo = new Map<string, string>();
function cached(key: string, make: () => string): string {
  let v = memo.get(key);
  if (v === undefined) memo.set(key, (v = make()));
  return v;
}

// A pool of names larger than one minion's set: 400 common to all, the rest spread by role.
const POOL = Array.from({ length: 2000 }, (_, i) => (i < 400 ? `core-${i}` : `lib${i}-${['ssl', 'xml', 'net', 'db', 'ui'][i % 5]}`));

function debVersion(name: string, gen: number): string {
  const x = h32(name, gen);
  return `${x % 3 === 0 ? '1:' : ''}${1 + (x % 9)}.${(x >>> 4) % 20}.${(x >>> 9) % 10}${(x >>> 13) % 11 === 0 ? '~rc1' : ''}-${1 + ((x >>> 17) % 5)}+deb12u${1 + ((x >>> 21) % 6)}`;
}
function rpmVersion(name: string, gen: number): string {
  const x = h32(name, gen);
  return `${x % 5 === 0 ? '2:' : ''}${1 + (x % 9)}.${(x >>> 4) % 20}.${(x >>> 9) % 10}-${1 + ((x >>> 17) % 30)}.el9${(x >>> 22) % 2 ? '_1' : ''}`;
}

/** Minion i's pkg.list_pkgs: 400 common packages and 100 role packages; ~8 versions per package across the fleet. */
function listPkgs(i: number, bumped: boolean): { ret: Record<string, string>; osFamily: string } {
  const osFamily = i % 3 === 0 ? 'RedHat' : 'Debian';
  const role = i % 16;
  const ret: Record<string, string> = {};
  for (let k = 0; k < PACKAGES; k++) {
    const name = k < 400 ? POOL[k] : POOL[400 + ((role * 100 + k - 400) % 1600)];
    const gen = h32(name, i) % 8;
    ret[name] = osFamily === 'RedHat' ? cached(`r${gen}${name}`, () => rpmVersion(name, gen)) : cached(`d${gen}${name}`, () => debVersion(name, gen));
  }
  if (bumped) for (const name of [POOL[0], POOL[1], POOL[2]]) ret[name] = osFamily === 'RedHat' ? '99:1.0-1.el9' : '99:1.0-1';
  return { ret, osFamily };
}

const ids = Array.from({ length: MINIONS }, (_, i) => `minion${String(i).padStart(6, '0')}`);
const tick = () => new Promise<void>((r) => setTimeout(r, 0));

interface TickFigures { ms: number; written: number; changed: number; maxBatchMs: number; generateMs: number; hashMs: number; writeMs: number }

async function runTick(handle: DbHandle, bumpedEvery: number | null): Promise<TickFigures> {
  const known = await storedHashes(handle.db, MASTER);
  const started = performance.now();
  let written = 0;
  let changed = 0;
  let maxBatchMs = 0;
  let generateMs = 0;
  let hashMs = 0;
  let writeMs = 0;
  for (let b = 0; b < MINIONS; b += BATCH) {
    const t0 = performance.now();
    const sets: MinionPackages[] = [];
    for (let i = b; i < Math.min(b + BATCH, MINIONS); i++) {
      const g0 = performance.now();
      const { ret, osFamily } = listPkgs(i, bumpedEvery !== null && i % bumpedEvery === 0);
      const g1 = performance.now();
      sets.push(minionPackages(ids[i], osFamily, '20261125000000000000', ret)!);
      generateMs += g1 - g0;
      hashMs += performance.now() - g1;
    }
    const w0 = performance.now();
    const r = await applyPackageSets(handle.db, MASTER, sets, known, new Date());
    writeMs += performance.now() - w0;
    written += r.rowsInserted + r.rowsDeleted;
    changed += r.minionsChanged;
    maxBatchMs = Math.max(maxBatchMs, performance.now() - t0);
    await tick();
  }
  return { ms: performance.now() - started, written, changed, maxBatchMs, generateMs, hashMs, writeMs };
}

function pct(samples: number[], p: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}
const split = (t: TickFigures) => `(data generator ${fmt(t.generateMs)}, parse+sort+hash ${fmt(t.hashMs)}, diff+write ${fmt(t.writeMs)})`;
const fmt = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(1)} ms`);

async function timeMany(label: string, n: number, fn: (k: number) => Promise<unknown>): Promise<void> {
  const samples: number[] = [];
  for (let k = 0; k < n; k++) {
    const t0 = performance.now();
    await fn(k);
    samples.push(performance.now() - t0);
  }
  console.log(`${label.padEnd(44)} n=${n}  p50 ${fmt(pct(samples, 50))}  p95 ${fmt(pct(samples, 95))}  p99 ${fmt(pct(samples, 99))}  max ${fmt(Math.max(...samples))}`);
}

async function open(): Promise<{ handle: DbHandle; cleanup: () => Promise<void> }> {
  const handle = await openScratchDb(args.engine as DbEngine, args.url, 'halite_bench_');
  return { handle, cleanup: () => handle.close() };
}

const { handle, cleanup } = await open();
try {
  console.log(`inventory bench: ${args.engine}, ${MINIONS} minions × ${PACKAGES} packages = ${(MINIONS * PACKAGES).toLocaleString('en')} rows, batches of ${BATCH}`);
  const first = await runTick(handle, null);
  console.log(`first tick     ${fmt(first.ms)}  rows written ${first.written.toLocaleString('en')}  minions changed ${first.changed}  slowest batch ${fmt(first.maxBatchMs)}  ${split(first)}`);
  const steady = await runTick(handle, 100);
  console.log(`steady tick    ${fmt(steady.ms)}  rows written ${steady.written.toLocaleString('en')}  minions changed ${steady.changed} (1%, 3 upgrades each)  slowest batch ${fmt(steady.maxBatchMs)}  ${split(steady)}`);
  const unchanged = await runTick(handle, 100);
  console.log(`unchanged tick ${fmt(unchanged.ms)}  rows written ${unchanged.written.toLocaleString('en')}  ${split(unchanged)}`);
  const [{ n }] = rowsOf<{ n: string | number }>(await handle.db.execute(sql`select count(*) as n from inventory_packages`));
  console.log(`rows stored    ${Number(n).toLocaleString('en')}`);
  if (args.engine === 'postgres') await handle.db.execute(sql`analyze inventory_packages`);

  const names = POOL.slice(0, 600);
  const pick = (k: number) => names[h32('pick', k) % names.length];
  const versionFor = (k: number) => (k % 2 ? debVersion(pick(k), k % 8) : rpmVersion(pick(k), k % 8));
  await timeMany('version search (name, op, version) page 500', SEARCHES, (k) =>
    searchByVersion(handle.db, MASTER, { name: pick(k), operator: VERSION_OPERATORS[k % 5], version: versionFor(k), limit: 500, offset: 0 }));
  await timeMany('versions of a package with minion counts', Math.min(SEARCHES, 100), (k) => packageVersions(handle.db, MASTER, pick(k)));
  await timeMany('name prefix page (q=lib12, limit 100)', Math.min(SEARCHES, 50), (k) =>
    listPackages(handle.db, MASTER, { q: `lib1${k % 10}`, limit: 100, offset: 0 }));
} finally {
  await cleanup();
}
