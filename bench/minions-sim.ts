/**
 * @module
 * The simulator for bench/minions-ingest.ts, in its own process so that its work (building and
 * serializing 50k minions' grains) does not share Halite's event loop, as a real salt-api would
 * not. Controlled over IPC: `{ change: 0.01 }` changes that share of accepted minions' grains,
 * `{ stop: true }` closes it.
 */
import { startSimulator } from '../sim/server.ts';

const NOW = Date.parse('2026-11-25T10:00:00Z');
const n = Number(process.argv[2] ?? 1000);
const sim = await startSimulator({ minions: n, clock: () => NOW, presenceIntervalMs: 0, history: 0 });
const changed = new Set<string>();
const original = sim.fleet.grains.bind(sim.fleet);
let generation = 1;
sim.fleet.grains = (id: string) => (changed.has(id) ? { ...original(id), bench_generation: generation } : original(id));

const accepted = sim.fleet.idsWithKey('accepted');
process.on('message', (m: { change?: number; stop?: boolean }) => {
  if (m.change) {
    generation++;
    changed.clear();
    const every = Math.round(1 / m.change);
    for (let i = 0; i < accepted.length; i += every) changed.add(accepted[i]!);
    process.send!({ changed: changed.size });
  }
  if (m.stop) void sim.close().then(() => process.exit(0));
});
process.send!({ url: sim.url, accepted: accepted.length, sample: original(accepted[0]!) });
