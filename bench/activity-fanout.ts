/**
 * @module
 * Activity fan-out benchmark. Prints (never passes or fails on time):
 *   1. ingest: events per second through normalize → persist (batched INSERTs) → publish, for a
 *      realistic mix of raw Salt events (job new/ret, the bare jid and /publish duplicates,
 *      salt/auth, presence), on PGlite or PostgreSQL;
 *   2. fan-out: 1,000 (default) concurrent SSE clients on a real HTTP server, events at 500/s;
 *      delivery latency p50/p99/max from the moment the raw event enters the consumer path (so
 *      the write batching is included) to the moment a client process reads it, plus the same
 *      from the hub's publish alone; and the server's memory per subscriber.
 * The clients run in child processes (bench/activity-fanout-clients.ts) so their parsing does not
 * eat the server's event loop; on a small machine they still share its cores, so the latency
 * figures are an upper bound.
 *
 *   node --expose-gc --import tsx bench/activity-fanout.ts
 *   options: --engine pglite|postgres --url postgres://… --events 50000 --clients 1000 --rate 500
 *            --seconds 10 --procs 2
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { serve } from '@hono/node-server';
import { openPglite, openPostgres, migrate } from '../src/db/open.ts';
import type { DbHandle } from '../src/db/types.ts';
import { createApp } from '../src/main.ts';
import { testSettings } from '../src/config.ts';
import { silentLogger } from '../src/log.ts';
import { loadAssets } from '../src/http/load-assets.ts';
import { prepareAuth } from '../src/auth/bootstrap.ts';
import { EventHub } from '../src/activity/hub.ts';
import { ActivityWriter } from '../src/activity/writer.ts';
import { normalizeEvent, type RawSaltEvent } from '../src/activity/normalize.ts';
import type { ActivityEvent } from '../src/activity/schemas.ts';
import { signInAdmin } from '../test/support/auth.ts';

const { values: args } = parseArgs({
  options: {
    engine: { type: 'string', default: 'pglite' },
    url: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    events: { type: 'string', default: '50000' },
    clients: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '10' },
    procs: { type: 'string', default: '2' },
  },
});
const wall = () => performance.timeOrigin + performance.now();
const gc = (globalThis as { gc?: () => void }).gc;

async function openDb(): Promise<DbHandle> {
  if (args.engine !== 'postgres') {
    const h = await openPglite(null);
    await migrate(h, 'migrations');
    return h;
  }
  const name = `halite_bench_${randomBytes(4).toString('hex')}`;
  const admin = postgres(args.url!, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const u = new URL(args.url!);
  u.pathname = `/${name}`;
  const h = await openPostgres(u.toString(), 5);
  await migrate(h, 'migrations');
  return { ...h, async close() {
    await h.close();
    const a = postgres(args.url!, { max: 1, onnotice: () => {} });
    await a.unsafe(`drop database if exists ${name} with (force)`);
    await a.end();
  } };
}

let jidSeq = 0;
/** The raw events of one test.ping on two minions, as Salt sends them (see events.sse). */
function jobBurst(sent: number): RawSaltEvent[] {
  const jid = `2026112415${String(jidSeq++).padStart(10, '0')}`;
  const stamp = new Date().toISOString().slice(0, 23);
  const base = { fun: 'test.ping', tgt: '*', tgt_type: 'glob', user: 'saltdev', _stamp: stamp };
  return [
    { tag: jid, data: { minions: ['web01', 'web02'], _stamp: stamp } },
    { tag: `salt/job/${jid}/new`, data: { ...base, jid, arg: [sent], minions: ['web01', 'web02'], missing: [] } },
    { tag: `salt/job/${jid}/publish`, data: { ...base, jid, arg: [sent], ret: '' } },
    { tag: `salt/job/${jid}/ret/web01`, data: { cmd: '_return', id: 'web01', success: true, return: true, retcode: 0, jid, fun: 'test.ping', fun_args: [], _stamp: stamp } },
    { tag: `salt/job/${jid}/ret/web02`, data: { cmd: '_return', id: 'web02', success: true, return: true, retcode: 0, jid, fun: 'test.ping', fun_args: [], _stamp: stamp } },
    { tag: 'salt/presence/present', data: { present: ['web01', 'web02'], _stamp: stamp } },
  ];
}

/** Latencies as 0.1 ms buckets → count. */
type Histogram = Map<number, number>;

function total(h: Histogram): number {
  let n = 0;
  for (const c of h.values()) n += c;
  return n;
}

/** The p-th percentile (ms) of a histogram. */
function pct(h: Histogram, p: number): number {
  const n = total(h);
  if (n === 0) return NaN;
  const rank = Math.min(n - 1, Math.floor((p / 100) * n));
  let seen = 0;
  for (const b of [...h.keys()].sort((x, y) => x - y)) {
    seen += h.get(b)!;
    if (seen > rank) return b / 10;
  }
  return NaN;
}
const f1 = (n: number) => n.toFixed(1);

async function ingest(h: DbHandle): Promise<void> {
  const target = Number(args.events);
  const raws: RawSaltEvent[] = [];
  while (raws.length < target) raws.push(...jobBurst(0));
  raws.length = target;
  const t0 = performance.now();
  let kept = 0;
  for (const r of raws) if (normalizeEvent(r)) kept++;
  const normMs = performance.now() - t0;
  const hub = new EventHub();
  hub.subscribe(); // one idle subscriber, as a page would be
  const writer = new ActivityWriter({ db: h.db, masterId: 'default', hub, logger: silentLogger });
  const t1 = performance.now();
  for (const r of raws) {
    const n = normalizeEvent(r);
    if (!n) continue;
    const wait = writer.push(n);
    if (wait) await wait;
  }
  await writer.close();
  const ms = performance.now() - t1;
  console.log(`ingest [${h.engine}]: ${target} raw events (${kept} kept) in ${f1(ms)} ms`);
  console.log(`  raw events/s through normalize → persist → publish: ${Math.round((target / ms) * 1000)}`);
  console.log(`  kept (stored) events/s: ${Math.round((kept / ms) * 1000)} in ${writer.stats.batches} INSERT batches`);
  console.log(`  normalize alone: ${Math.round((target / normMs) * 1000)} events/s`);
}

async function fanout(h: DbHandle): Promise<void> {
  const clients = Number(args.clients);
  const rate = Number(args.rate);
  const seconds = Number(args.seconds);
  const procs = Math.max(1, Number(args.procs));
  const hub = new EventHub({ queueLimit: 5000 });
  const settings = testSettings();
  await prepareAuth(h.db);
  const app = createApp(settings, { db: h.db, logger: silentLogger, assets: loadAssets('public'), hub });
  const session = await signInAdmin(app);
  const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }) as Server;
  await new Promise<void>((r) => (server.listening ? r() : server.once('listening', () => r())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  gc?.();
  const heap0 = process.memoryUsage();
  const children: ChildProcess[] = [];
  const readies: Promise<void>[] = [];
  for (let i = 0; i < procs; i++) {
    const n = Math.floor(clients / procs) + (i < clients % procs ? 1 : 0);
    const child = fork(new URL('./activity-fanout-clients.ts', import.meta.url).pathname, [url, session.cookie, String(n)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.push(child);
    readies.push(new Promise((resolve, reject) => child.on('message', (m: { type: string; message?: string }) => {
      if (m.type === 'ready') resolve();
      if (m.type === 'error') reject(new Error(m.message));
    })));
  }
  await Promise.all(readies);
  await new Promise((r) => setTimeout(r, 500));
  gc?.();
  const heap1 = process.memoryUsage();
  console.log(`fan-out: ${hub.subscriberCount} SSE subscribers connected (${procs} client processes)`);
  console.log(`  server memory per subscriber: heap ${f1((heap1.heapUsed - heap0.heapUsed) / clients / 1024)} KiB, rss ${f1((heap1.rss - heap0.rss) / clients / 1024)} KiB${gc ? '' : ' (run with --expose-gc for steadier figures)'}`);

  /** Client CPU (ms, all client processes) at the last snapshot, to say who the bottleneck was. */
  let clientCpuMs = 0;
  let lastSnapshotAt = performance.now();
  const snapshot = async (quiet = false): Promise<Histogram> => {
    const parts = await Promise.all(children.map((c) => new Promise<{ latencies: [number, number][]; cpuMs: number }>((resolve) => {
      c.once('message', (m: { type: string; latencies: [number, number][]; cpuMs: number }) => resolve(m));
      c.send({ type: 'snapshot' });
    })));
    const merged = new Map<number, number>();
    for (const part of parts) for (const [b, n] of part.latencies) merged.set(b, (merged.get(b) ?? 0) + n);
    const cpu = parts.reduce((a, p) => a + p.cpuMs, 0);
    const wallMs = performance.now() - lastSnapshotAt;
    if (!quiet) console.log(`    client processes' CPU: ${Math.round(((cpu - clientCpuMs) / wallMs) * 100)}% of one core (${procs} processes)`);
    clientCpuMs = cpu;
    lastSnapshotAt = performance.now();
    return merged;
  };
  await snapshot(true); // baseline: leaves out the connection costs

  // Phase A: raw events through normalize → writer (batched INSERTs) → hub → SSE, at `rate` kept events/s.
  const writer = new ActivityWriter({ db: h.db, masterId: 'default', hub, logger: silentLogger });
  const tickMs = 10;
  const perTick = (rate * tickMs) / 1000;
  const runPhase = async (emit: (n: number) => void) => {
    const start = performance.now();
    const cpu0 = process.cpuUsage();
    let sent = 0;
    while (performance.now() - start < seconds * 1000) {
      const due = Math.floor(((performance.now() - start) / 1000) * rate) - sent;
      if (due > 0) {
        emit(due);
        sent += due;
      }
      await new Promise((r) => setTimeout(r, tickMs));
    }
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    console.log(`    server CPU during the phase: ${Math.round((cpuMs / (performance.now() - start)) * 100)}% of one core, ${f1((cpuMs * 1000) / Math.max(1, sent * clients))} µs per delivery`);
    await new Promise((r) => setTimeout(r, 300));
    return sent;
  };
  const sentA = await runPhase((n) => {
    for (let i = 0; i < n; i++) {
      const job = jobBurst(wall());
      const kept = normalizeEvent(job[1]!)!; // the job.new carries the send time in arg[0]
      for (const r of job) if (r !== job[1]) normalizeEvent(r); // the rest costs normalize time too
      void writer.push(kept);
    }
  });
  await writer.close();
  const latA = await snapshot();
  console.log(`  phase A, end to end (normalize → batched INSERT → publish → ${clients} clients), ${sentA} events at ${rate}/s:`);
  console.log(`    deliveries ${total(latA)} of ${sentA * clients}; latency p50 ${f1(pct(latA, 50))} ms, p99 ${f1(pct(latA, 99))} ms, max ${f1(pct(latA, 100))} ms`);

  // Phase B: straight into the hub (the fan-out alone).
  let id = hub.lastId;
  const sentB = await runPhase((n) => {
    const batch: ActivityEvent[] = [];
    for (let i = 0; i < n; i++) {
      batch.push({ id: ++id, master_id: 'default', at: new Date().toISOString(), category: 'job', kind: 'job.new', tag: 'salt/job/x/new', jid: null,
        minion: null, fun: 'test.ping', outcome: null, summary: 'bench', data: { arg: [wall()] }, backfilled: false });
    }
    hub.publish(batch);
  });
  const latB = await snapshot();
  for (const c of children) c.send({ type: 'exit' });
  console.log(`  phase B, hub publish → ${clients} clients, ${sentB} events at ${rate}/s:`);
  console.log(`    deliveries ${total(latB)} of ${sentB * clients}; latency p50 ${f1(pct(latB, 50))} ms, p99 ${f1(pct(latB, 99))} ms, max ${f1(pct(latB, 100))} ms`);
  console.log(`  subscribers dropped for falling behind: ${hub.stats.dropped}; machine load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} CPUs`);
  hub.closeAll();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
}

const h = await openDb();
try {
  await ingest(h);
  await fanout(h);
} finally {
  await h.close();
}
process.exit(0);
