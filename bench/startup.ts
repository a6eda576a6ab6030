/**
 * Prints how long `npm start`'s server takes to answer /healthz: on a fresh data dir (initdb and
 * migrations) and on an existing one (the 5-second target of the foundation issue).
 *   npx tsx bench/startup.ts [runs=3]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startProcess } from '../test/support/process.ts';

const runs = Number(process.argv[2] ?? 3);
const dataDir = mkdtempSync(path.join(tmpdir(), 'halite-bench-start-'));
const env = { HALITE_PORT: '0', HALITE_DATA_DIR: dataDir, HALITE_LOG_LEVEL: 'info' };

async function once(): Promise<number> {
  const t0 = performance.now();
  const server = await startProcess(['node', '--import', 'tsx', 'src/server.ts'], { env });
  const res = await fetch(`${server.url}/healthz`);
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(`healthz ${res.status}`);
  await server.stop();
  return ms;
}

try {
  console.log(`fresh data dir:    ${(await once()).toFixed(0)} ms to /healthz`);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await once());
  times.sort((a, b) => a - b);
  console.log(`existing data dir: ${times.map((t) => t.toFixed(0)).join(', ')} ms (median ${times[Math.floor(times.length / 2)].toFixed(0)} ms, ${runs} runs)`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
