import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { DataDirLockedError, lockDataDir } from './lock.ts';

test('a second holder of the data dir is refused with a clear error', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'halite-lock-'));
  // Another live process holds it: a child that sleeps.
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
  try {
    writeFileSync(path.join(dir, 'halite.lock'), String(child.pid));
    assert.throws(() => lockDataDir(dir), (e: Error) => {
      assert.ok(e instanceof DataDirLockedError);
      assert.match(e.message, new RegExp(`in use by another Halite process \\(pid ${child.pid}\\)`));
      return true;
    });
  } finally {
    child.kill();
  }
});

test('a lock left by a dead process is taken over, and released', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'halite-lock-'));
  writeFileSync(path.join(dir, 'halite.lock'), '999999999');
  const release = lockDataDir(dir);
  assert.equal(readFileSync(path.join(dir, 'halite.lock'), 'utf8'), String(process.pid));
  release();
  assert.equal(existsSync(path.join(dir, 'halite.lock')), false);
});
