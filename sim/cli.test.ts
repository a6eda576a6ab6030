/**
 * @module sim/cli.test
 * `npm run sim` runs the simulator alone: it prints the URL and the credentials, serves salt-api
 * there, and stops cleanly on SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { rawRequest } from './testing.ts';

test('the CLI prints the URL and credentials, serves, and exits on SIGTERM', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'sim/cli.ts', '--port', '0', '--minions', '12', '--seed', '4'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let out = '';
    child.stdout.setEncoding('utf8');
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 15_000);
      child.stdout.on('data', (c: string) => {
        out += c;
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m && out.includes('login:')) { clearTimeout(timer); resolve(m[1]); }
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    assert.match(out, /12 minions/);
    assert.match(out, /username=saltdev eauth=auto/);
    const r = await rawRequest(`${url}/`, 'GET');
    assert.equal(r.status, 200);
    assert.equal(JSON.parse(r.body.toString()).return, 'Welcome');
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
