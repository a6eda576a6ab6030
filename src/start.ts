/**
 * @module
 * `startHalite()`: what the process entry (src/server.ts) and `npm run demo` share: open the
 * database, migrate, prepare sign-in, build the RuntimeConfig and the app, listen, then boot the
 * runtime (Salt connects in the background, so a slow or absent salt-api never delays serving).
 */
import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import type { Settings } from './config.ts';
import type { Logger } from './log.ts';
import { openDb, migrate } from './db/open.ts';
import type { Db, DbHandle } from './db/types.ts';
import { createApp, type App } from './main.ts';
import { loadAssets } from './http/load-assets.ts';
import { prepareAuth } from './auth/bootstrap.ts';
import { RuntimeConfig } from './runtime.ts';
import type { AppDeps } from './http/env.ts';
import { minionsPoller } from './minions/scheduler.ts';
import { jobsPoller } from './jobs/scheduler.ts';
import { fleetPoller } from './fleet/scheduler.ts';
import { inventoryPoller } from './inventory/scheduler.ts';
import { EventHub } from './activity/hub.ts';
import { activityConsumer } from './activity/consumer.ts';
import { primeHub } from './activity/service.ts';
import { startRefresher } from './activity/refresh.ts';
import { nodeSaltTransport } from './salt/transport.ts';

export interface StartOptions {
  /** Registers the features' pollers and stream consumers (and may add deps) before the runtime boots. */
  register?: (runtime: RuntimeConfig, deps: AppDeps) => void;
  /** Runs after migrations, before the runtime reads the settings (the demo stores its settings here). */
  beforeBoot?: (db: Db) => Promise<void>;
}

/** A running Halite. */
export interface RunningHalite {
  url: string;
  server: Server;
  app: App;
  runtime: RuntimeConfig;
  handle: DbHandle;
  /** Settles once the runtime's first Salt login attempt is over (retries go on in the background). */
  booted: Promise<void>;
  /** Closes connections (SSE included), stops pollers and the Salt connection, closes the database. */
  stop(): Promise<void>;
}

/** Starts Halite with `settings` (which must carry a secret key: see ensureSecretKey). */
export async function startHalite(settings: Settings, logger: Logger, o: StartOptions = {}): Promise<RunningHalite> {
  if (!settings.secretKey) throw new Error('startHalite needs settings.secretKey (ensureSecretKey provides one in development)');
  const started = performance.now();
  const handle = await openDb(settings);
  try {
    await migrate(handle, settings.migrationsDir);
    await prepareAuth(handle.db, logger);
    await o.beforeBoot?.(handle.db);
  } catch (e) {
    await handle.close();
    throw e;
  }
  logger.info('database ready', {
    engine: handle.engine,
    location: handle.engine === 'pglite' ? settings.dataDir : '(HALITE_DATABASE_URL)',
    ms: Math.round(performance.now() - started),
  });

  const runtime = new RuntimeConfig({ secretKey: settings.secretKey, logger: logger.child({ component: 'runtime' }), transport: nodeSaltTransport });
  // The activity hub outlives Salt connections: the SSE route answers (and says why) while Salt is down.
  const hub = new EventHub();
  await primeHub(hub, handle.db, 'default').catch((e) => logger.warn('activity replay not loaded', { error: String(e) }));
  const deps: AppDeps = { db: handle.db, logger, assets: loadAssets(settings.publicDir), runtime, hub, saltTransport: nodeSaltTransport };
  // The pollers every Halite runs; registration is keyed by name, so `register` may repeat them.
  runtime.registerPoller(minionsPoller);
  runtime.registerPoller(jobsPoller);
  runtime.registerPoller(fleetPoller);
  runtime.registerPoller(inventoryPoller);
  runtime.registerStreamConsumer(activityConsumer({ hub }));
  // Events run the jobs/minions pollers early, so pages refresh to data that includes them.
  const stopRefresher = startRefresher({ hub, runPoller: (name) => runtime.runPoller(name) });
  o.register?.(runtime, deps);
  const app = createApp(settings, deps);
  const server = serve({ fetch: app.fetch, hostname: settings.host, port: settings.port }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : settings.port;
  const url = `http://${settings.host.includes(':') ? `[${settings.host}]` : settings.host}:${port}`;
  logger.info('listening', { url });

  const booted = runtime.boot(handle.db).catch((e) => logger.error('runtime boot failed', { error: String((e as Error)?.message ?? e) }));

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      // SSE responses never end on their own; without this, close() would wait for them forever.
      stopRefresher();
      hub.closeAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await runtime.stop();
      await handle.close();
    })());
  return { url, server, app, runtime, handle, booted, stop };
}
