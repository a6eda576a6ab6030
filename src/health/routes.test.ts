import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine, openTestDb } from '../../test/support/db.ts';
import { useTestApp } from '../../test/support/app.ts';
import { createApp } from '../main.ts';
import { testSettings } from '../config.ts';
import { silentLogger } from '../log.ts';

describeEachEngine('health', (engine) => {
  const ctx = useTestApp(engine);

  test('/healthz and /readyz answer without signing in', async () => {
    const { app } = ctx();
    const h = await app.request('/healthz');
    assert.equal(h.status, 200);
    assert.deepEqual(await h.json(), { status: 'ok' });
    const r = await app.request('/readyz');
    assert.equal(r.status, 200);
    assert.deepEqual(await r.json(), { status: 'ready', database: 'ok', salt: null });
  });

  test('/readyz is 503 when the database does not answer', async () => {
    const handle = await openTestDb(engine);
    const app = createApp(testSettings(), { db: handle.db, logger: silentLogger, assets: new Map() });
    await handle.close();
    const r = await app.request('/readyz');
    assert.equal(r.status, 503);
    assert.equal(((await r.json()) as { database: string }).database, 'error');
  });
});
