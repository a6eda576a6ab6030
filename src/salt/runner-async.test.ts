import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../../sim/server.ts';
import { SaltApiClient } from './client.ts';

let sim: Simulator;
let client: SaltApiClient;
before(async () => {
  sim = await startSimulator({ preset: 'lab', presenceIntervalMs: 0 });
  client = new SaltApiClient({ url: sim.url, username: 'saltdev', password: 'x', eauth: 'auto', sleep: async () => {} });
});
after(() => sim.close());

test('runnerAsync answers the runner job jid and its salt/run tag at once', async () => {
  const r = await client.runnerAsync('manage.status');
  assert.match(r.jid, /^\d{20}$/);
  assert.equal(r.tag, `salt/run/${r.jid}`);
});

test('runnerAsync is not retried on a 5xx (the runner may have started)', async () => {
  await client.login();
  const before = sim.stats.requests;
  sim.faults.failNext(1, 500);
  await assert.rejects(() => client.runnerAsync('manage.status'), (e: Error) => e.name === 'SaltApiError');
  assert.equal(sim.stats.requests - before, 1);
});
