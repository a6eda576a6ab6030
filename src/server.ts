/**
 * @module
 * The process entry: read Settings, then `startHalite()` (src/start.ts: open the database, migrate,
 * listen, boot the runtime), and shut down cleanly on SIGTERM/SIGINT (close SSE streams, stop
 * pollers and the Salt connection, close the database).
 */
import { ConfigError, parseSettings } from './config.ts';
import { createLogger } from './log.ts';
import { ensureSecretKey } from './secret-key.ts';
import { startHalite } from './start.ts';

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

  const halite = await startHalite(settings, logger);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    await halite.stop();
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
