/**
 * @module sim/cli
 * `npm run sim -- --minions 500 --port 8000`: runs the salt-api simulator on its own and prints
 * where it listens and how to log in. Options: --minions N, --port P, --host H, --seed S,
 * --preset lab, --job-duration MS, --token-ttl S, --username U, --shared-secret X, --history N,
 * --activity MS (publish a small background job every MS, for demos).
 */
import { parseArgs } from 'node:util';
import { startSimulator } from './server.ts';

const { values } = parseArgs({
  options: {
    minions: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, seed: { type: 'string' },
    preset: { type: 'string' }, 'job-duration': { type: 'string' }, 'token-ttl': { type: 'string' },
    username: { type: 'string' }, 'shared-secret': { type: 'string' }, history: { type: 'string' }, activity: { type: 'string' }, help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  console.log('usage: npm run sim -- [--minions 20] [--port 8000] [--host 127.0.0.1] [--seed 1] [--preset lab]\n' +
    '       [--job-duration 50] [--token-ttl 43200] [--username saltdev] [--shared-secret sim-shared-secret] [--history 24] [--activity MS]');
  process.exit(0);
}

const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
const username = values.username ?? 'saltdev';
const sharedSecret = values['shared-secret'] ?? 'sim-shared-secret';
if (values.preset !== undefined && values.preset !== 'lab') {
  console.error(`unknown preset '${values.preset}' (only 'lab')`);
  process.exit(2);
}
const sim = await startSimulator({
  minions: num(values.minions), port: num(values.port) ?? 8000, host: values.host, seed: num(values.seed),
  preset: values.preset === 'lab' ? 'lab' : undefined, jobDurationMs: num(values['job-duration']), tokenTtlSeconds: num(values['token-ttl']),
  username, sharedSecret, history: num(values.history), activityIntervalMs: num(values.activity),
});
const keys = sim.fleet.keyLists();
console.log(`salt-api simulator listening on ${sim.url}`);
console.log(`  fleet: ${sim.fleet.size} minions (${keys.minions.length} accepted, ${keys.minions_pre.length} pending, ` +
  `${keys.minions_rejected.length} rejected, ${keys.minions_denied.length} denied), seed ${sim.fleet.seed}${sim.fleet.preset === 'lab' ? ', lab preset' : ''}`);
console.log(`  login: username=${username} eauth=auto (any password) or eauth=sharedsecret password=${sharedSecret}`);
console.log(`  try:   curl -si ${sim.url}/login -H 'Content-Type: application/json' -d '{"username":"${username}","password":"x","eauth":"auto"}'`);
console.log(`  faults: POST ${sim.url}/_sim/faults/fail-next {"n":3,"status":500} · /_sim/down-for {"ms":2000} · GET /_sim/stats`);

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    void sim.close().then(() => process.exit(0));
  });
}
