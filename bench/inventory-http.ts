/**
 * @module
 * The inventory tick end to end over HTTP: the simulator's fleet (sim/cli.ts in its own process,
 * so its JSON generation does not count as our event-loop time; pkg.list_pkgs with 200–400
 * packages per minion) → `local_async` in batches of 500 → `jobs.lookup_jid` → diff/write.
 * Prints the first tick, a steady tick (nothing changed) and the longest event-loop stall seen
 * while the ticks ran (the process must keep serving requests meanwhile).
 *
 *   npx tsx bench/inventory-http.ts --minions 2000 [--engine postgres --url postgres://postgres@127.0.0.1:5432/postgres]
 */
import { parseArgs } from 'node:util';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { DbEngine, DbHandle } from '../src/db/types.ts';
import { spawn } from 'node:child_process';
import { SaltApiClient } from '../src/salt/client.ts';
import { ingestMinions } from '../src/minions/ingest.ts';
import { ingestInventory } from '../src/inventory/ingest.ts';
import { openScratchDb } from '../test/support/db.ts';

const { values: args } = parseArgs({
  options: {
    engine: { type: 'string', default: 'pglite' },
    url: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    minions: { type: 'string', default: '2000' },
  },
});

async function open(): Promise<{ handle: DbHandle; cleanup: () => Promise<void> }> {
  const handle = await openScratchDb(args.engine as DbEngine, args.url, 'halite_bench_');
  return { handle, cleanup: () => handle.close() };
}

const sim = spawn(process.execPath, ['--import', 'tsx', 'sim/cli.ts', '--minions', args.minions!, '--port', '0', '--history', '0', '--job-duration', '50'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const simUrl = await new Promise<string>((resolve, reject) => {
  let out = '';
  sim.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    const m = /listening on (http:\/\/\S+)/.exec(out);
    if (m) resolve(m[1]);
  });
  sim.once('exit', (code) => reject(new Error(`simulator exited with ${code}: ${out}`)));
});
const { handle, cleanup } = await open();
try {
  const salt = new SaltApiClient({ url: simUrl, username: 'saltdev', password: 'x', eauth: 'auto', timeoutMs: 120_000 });
  const now = () => new Date();
  await ingestMinions({ db: handle.db, salt, masterId: 'default', now });
  console.log(`inventory over HTTP: ${args.engine}, simulator fleet of ${args.minions} minions`);
  for (const label of ['first tick', 'steady tick']) {
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    // Presence in the simulator flaps every 5 minutes: a minion that went down since the snapshot
    // is waited for until the deadline, so keep it short.
    const r = await ingestInventory({ db: handle.db, salt, masterId: 'default', now, pollMs: 200, deadlineMs: 30_000 });
    loop.disable();
    console.log(`${label.padEnd(12)} ${(r.ms / 1000).toFixed(1)} s  minions ${r.returned}/${r.targeted} (missing ${r.missing}) in ${r.batches} batches  rows written ${r.rowsWritten.toLocaleString('en')}  ` +
      `changed ${r.minionsChanged} unchanged ${r.minionsUnchanged}  longest event-loop stall ${(loop.max / 1e6).toFixed(0)} ms (p99 ${(loop.percentile(99) / 1e6).toFixed(0)} ms)`);
  }
  await salt.logout().catch(() => {});
} finally {
  await cleanup();
  sim.kill('SIGTERM');
}
