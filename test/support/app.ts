/**
 * @module
 * Builds a real app on a real test database, for tests that call `app.request()`.
 */
import { after, before } from 'node:test';
import { createApp, type App } from '../../src/main.ts';
import { testSettings, type Settings } from '../../src/config.ts';
import { createLogger, silentLogger, type Logger } from '../../src/log.ts';
import { loadAssets } from '../../src/http/load-assets.ts';
import type { AppDeps } from '../../src/http/env.ts';
import type { DbEngine, DbHandle } from '../../src/db/types.ts';
import { openTestDb } from './db.ts';
import { prepareAuth } from '../../src/auth/bootstrap.ts';

export interface TestApp {
  app: App;
  handle: DbHandle;
  deps: AppDeps;
  settings: Settings;
  /** Log lines written during the test (JSON strings). */
  logs: string[];
}

/** Opens a fresh database and builds an app on it; closes it after the suite. */
export function useTestApp(
  engine: DbEngine,
  opts: { settings?: Partial<Settings>; deps?: Partial<AppDeps> } = {},
): () => TestApp {
  let ctx: TestApp | undefined;
  before(async () => {
    const handle = await openTestDb(engine);
    await prepareAuth(handle.db);
    const logs: string[] = [];
    const logger: Logger = createLogger('debug', (line) => logs.push(line));
    const settings = testSettings(opts.settings);
    const deps: AppDeps = { db: handle.db, logger, assets: loadAssets('public'), ...opts.deps };
    ctx = { app: createApp(settings, deps), handle, deps, settings, logs };
  });
  after(async () => {
    await ctx?.handle.close();
  });
  return () => {
    if (!ctx) throw new Error('useTestApp: the app is built in before(); call the getter inside a test');
    return ctx;
  };
}

export { silentLogger };
