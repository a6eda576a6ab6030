/**
 * Writes openapi.json from the routes, without a database: the app is built with dependencies
 * that throw if touched, since generating the document only walks route declarations.
 * `--check` exits 1 when the committed file differs (the test command runs it).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createApp, openApiDocument } from '../src/main.ts';
import { testSettings } from '../src/config.ts';
import { silentLogger } from '../src/log.ts';
import type { Db } from '../src/db/types.ts';

const noDb = new Proxy({}, { get: () => { throw new Error('openapi generation must not touch the database'); } }) as Db;
const app = createApp(testSettings(), { db: noDb, logger: silentLogger, assets: new Map() });
const text = JSON.stringify(openApiDocument(app), null, 2) + '\n';
const file = 'openapi.json';

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {}
  if (current !== text) {
    console.error('openapi.json is stale: run `npm run openapi` and commit the result.');
    process.exit(1);
  }
  console.log('openapi.json is current.');
} else {
  writeFileSync(file, text);
  console.log(`wrote ${file}`);
}
