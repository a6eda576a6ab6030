import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeEachEngine, openTestDb } from '../../test/support/db.ts';
import { migrate, openPglite } from './open.ts';
import { DataDirLockedError } from './lock.ts';
import type { DbHandle } from './types.ts';

describeEachEngine('migrations', (engine) => {
  let handle: DbHandle;
  before(async () => {
    handle = await openTestDb(engine);
  });
  after(() => handle.close());

  test('create the tables and can be applied again without change', async () => {
    await migrate(handle, 'migrations');
    const rows = await handle.db.execute(
      sql`select table_name from information_schema.tables where table_schema = 'public' order by 1`,
    );
    const names = ((rows as unknown as { rows?: unknown[] }).rows ?? (rows as unknown as unknown[])).map(
      (r) => (r as { table_name: string }).table_name,
    );
    for (const t of ['audit_log', 'roles', 'role_permissions', 'sessions', 'user_roles', 'users']) {
      assert.ok(names.includes(t), `${t} exists`);
    }
  });
});

test('a PGlite data dir cannot be opened twice', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'halite-db-'));
  const first = await openPglite(dir);
  try {
    // Same process, same pid: the lock file names us, so simulate the second process by pid.
    await assert.rejects(() => openPgliteAsOtherProcess(dir), DataDirLockedError);
  } finally {
    await first.close();
  }
  // Released on close: opening again works and keeps the data.
  const again = await openPglite(dir);
  await again.close();
});

async function openPgliteAsOtherProcess(dir: string) {
  const realPid = process.pid;
  Object.defineProperty(process, 'pid', { value: realPid + 1, configurable: true });
  try {
    return await openPglite(dir);
  } finally {
    Object.defineProperty(process, 'pid', { value: realPid, configurable: true });
  }
}
