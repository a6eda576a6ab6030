/**
 * `npm run demo` from a clean data dir: the simulator and Halite start, the settings point at the
 * simulator, Salt is connected without any manual step, and the admin signs in with changeme.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startProcess, type RunningServer } from './support/process.ts';

const work = mkdtempSync(path.join(tmpdir(), 'halite-demo-'));
let demo: RunningServer | undefined;
after(async () => {
  await demo?.stop();
  rmSync(work, { recursive: true, force: true });
});

test('npm run demo: Salt connected, 200 simulated minions, admin / changeme', { timeout: 120_000 }, async () => {
  demo = await startProcess(['node', '--import', 'tsx', 'scripts/demo.ts'], {
    env: { HALITE_PORT: '0', HALITE_DATA_DIR: path.join(work, 'data'), HALITE_LOG_LEVEL: 'info', HALITE_DATABASE_URL: '', HALITE_SECRET_KEY: '' },
  });
  const end = Date.now() + 30_000;
  while (!demo.output().includes('Stop with Ctrl-C') && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  const out = demo.output();
  assert.match(out, /Sign in +admin \/ changeme/);
  assert.match(out, /simulated, 200 minions\) — connected/);
  const url = /Halite +(http:\/\/\S+)/.exec(out)![1]!;
  const ready = (await (await fetch(`${url}/readyz`)).json()) as { salt: { state: string } };
  assert.equal(ready.salt.state, 'ok');
  const login = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'changeme' }),
  });
  assert.equal(login.status, 200);
  assert.equal(((await login.json()) as { must_change_pw: boolean }).must_change_pw, true);
  assert.equal(await demo.stop(), 0, 'Ctrl-C / SIGTERM stops it cleanly');
});
