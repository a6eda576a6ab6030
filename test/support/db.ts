/**
 * @module
 * Databases for tests. Every database test runs on each available engine: the embedded PGlite
 * always, and a real PostgreSQL when HALITE_TEST_DATABASE_URL is set (CI sets it). Each test file
 * gets its own fresh database, so files can run in parallel.
 */
import { randomBytes } from 'node:crypto';
import { describe } from 'node:test';
import postgres from 'postgres';
import { openPglite, openPostgres, migrate } from '../../src/db/open.ts';
import type { DbEngine, DbHandle } from '../../src/db/types.ts';

/** The engines this run tests against. */
export function testEngines(): DbEngine[] {
  return process.env.HALITE_TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

/** Opens a fresh, migrated database on `engine`. Close it with `close()`; a PostgreSQL one is dropped. */
export async function openTestDb(engine: DbEngine): Promise<DbHandle> {
  if (engine === 'pglite') {
    const handle = await openPglite(null);
    await migrate(handle, 'migrations');
    return handle;
  }
  const adminUrl = process.env.HALITE_TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('HALITE_TEST_DATABASE_URL is not set');
  const name = `halite_t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const handle = await openPostgres(url.toString(), 5);
  await migrate(handle, 'migrations');
  return {
    ...handle,
    async close() {
      await handle.close();
      const a = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

/** Runs `suite` once per engine, inside `describe('<name> [engine]')`. */
export function describeEachEngine(name: string, suite: (engine: DbEngine) => void): void {
  for (const engine of testEngines()) describe(`${name} [${engine}]`, () => suite(engine));
}
