/**
 * @module
 * The process entry: read Settings, open the database, migrate, boot the runtime, listen, and shut
 * down cleanly on SIGTERM/SIGINT (close SSE streams, stop timers, close the database).
 */
import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import { ConfigError, parseSettings } from './config.ts';
import { createLogger } from './log.ts';
import { openDb, migrate } from './db/open.ts';
import { createApp } from './main.ts';
import { loadAssets } from './http/load-assets.ts';
import { ensureSecretKey } from './secret-key.ts';
import { prepareAuth } from './auth/bootstrap.ts';

async function main(): Promise<void> {
  let settings;
  try {
    settings = parseSettings(process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  const logger = createLogger(settings.logLevel);
  settings = ensureSecretKey(settings, logger);

  const started = performance.now();
  const handle = await openDb(settings);
  await migrate(handle, settings.migrationsDir);
  await prepareAuth(handle.db, logger);
  logger.info('database ready', {
    engine: handle.engine,
    location: handle.engine === 'pglite' ? settings.dataDir : '(HALITE_DATABASE_URL)',
    ms: Math.round(performance.now() - started),
  });

  const app = createApp(settings, { db: handle.db, logger, assets: loadAssets(settings.publicDir) });
  const server = serve({ fetch: app.fetch, hostname: settings.host, port: settings.port }) as Server;
  server.on('listening', () => {
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : settings.port;
    logger.info('listening', { url: `http://${settings.host}:${port}` });
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    // SSE responses never end on their own; without this, close() would wait for them forever.
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await handle.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((e) => {
  console.error(JSON.stringify({ time: new Date().toISOString(), level: 'error', msg: 'startup failed', error: String(e?.message ?? e) }));
  process.exit(1);
});
