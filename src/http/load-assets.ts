/**
 * @module
 * Builds the AssetStore from public/ (Node-only: it reads the filesystem).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { Asset, AssetStore } from './assets.ts';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/** Reads every file under `publicDir` into memory, keyed by `/static/<relative path>`. */
export function loadAssets(publicDir: string): AssetStore {
  const store = new Map<string, Asset>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) {
        walk(file);
        continue;
      }
      const body = readFileSync(file);
      const rel = path.relative(publicDir, file).split(path.sep).join('/');
      store.set(`/static/${rel}`, {
        body,
        contentType: TYPES[path.extname(name)] ?? 'application/octet-stream',
        hash: createHash('sha256').update(body).digest('hex').slice(0, 12),
      });
    }
  };
  walk(path.resolve(publicDir));
  return store;
}
