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

/**
 * Opens a fresh, migrated database: PGlite in memory, or a new database created through the
 * PostgreSQL `adminUrl`. `close()` drops the PostgreSQL one again. Tests and benches share it.
 */
export async function openScratchDb(engine: DbEngine, adminUrl?: string, prefix = 'halite_t_'): Promise<DbHandle> {
  if (engine === 'pglite') {
    const handle = await openPglite(null);
    await migrate(handle, 'migrations');
    return handle;
  }
  if (!adminUrl) throw new Error('a PostgreSQL scratch database needs an admin URL');
  const name = `${prefix}${randomBytes(6).toString('hex')}`;
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

/** Opens a fresh, migrated database on `engine` for one test file (HALITE_TEST_DATABASE_URL for PostgreSQL). */
export function openTestDb(engine: DbEngine): Promise<DbHandle> {
  return openScratchDb(engine, process.env.HALITE_TEST_DATABASE_URL);
}

/** Runs `suite` once per engine, inside `describe('<name> [engine]')`. */
export function describeEachEngine(name: string, suite: (engine: DbEngine) => void): void {
  for (const engine of testEngines()) describe(`${name} [${engine}]`, () => suite(engine));
}
