/**
 * @module
 * The development secret key: generated once and kept in the data dir so encrypted settings
 * survive restarts. Production must set HALITE_SECRET_KEY (src/config.ts refuses to start without).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Settings } from './config.ts';
import type { Logger } from './log.ts';

/** Returns settings with a secret key, generating and storing one in development. */
export function ensureSecretKey(settings: Settings, logger: Logger): Settings {
  if (settings.secretKey) return settings;
  const file = path.join(settings.dataDir, 'secret.key');
  if (existsSync(file)) return { ...settings, secretKey: readFileSync(file, 'utf8').trim() };
  mkdirSync(settings.dataDir, { recursive: true });
  const key = randomBytes(32).toString('hex');
  writeFileSync(file, key + '\n', { mode: 0o600 });
  logger.warn('HALITE_SECRET_KEY is not set: generated a development key and stored it in the data dir', {
    file: path.resolve(file),
  });
  return { ...settings, secretKey: key };
}
