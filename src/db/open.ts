/**
 * @module
 * The driver choice: PGlite in the data dir when no database URL is set, postgres.js otherwise.
 * This and src/server.ts are the only Node-specific parts of the app's start path.
 */
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import * as schema from './schema.ts';
import { lockDataDir } from './lock.ts';
import { DB_CASING, type Db, type DbHandle } from './types.ts';

/** Any constant; it only has to be the same in every replica. */
const MIGRATION_LOCK_ID = 7243190551;

/** Opens the embedded database in `dataDir` (locked against a second process), or in memory when null. */
export async function openPglite(dataDir: string | null): Promise<DbHandle> {
  const release = dataDir ? lockDataDir(dataDir) : () => {};
  try {
    const client = dataDir ? new PGlite(path.join(dataDir, 'pgdata')) : new PGlite();
    await client.waitReady;
    const db = drizzlePglite({ client, schema, casing: DB_CASING }) as unknown as Db;
    return {
      db,
      engine: 'pglite',
      migrate: (migrationsFolder) => migratePglite(db as never, { migrationsFolder }),
      async close() {
        try {
          await client.close();
        } finally {
          release();
        }
      },
    };
  } catch (e) {
    release();
    throw e;
  }
}

/** Opens a postgres.js pool on `url`. */
export async function openPostgres(url: string, max = 10): Promise<DbHandle> {
  const client = postgres(url, { max, onnotice: () => {} });
  const db = drizzlePostgres({ client, schema, casing: DB_CASING }) as unknown as Db;
  await db.execute(sql`select 1`);
  return {
    db,
    engine: 'postgres',
    // Replicas that start together must not race each other: one reserved connection holds a
    // session advisory lock while the migrator runs on the pool.
    async migrate(migrationsFolder) {
      const lockConn = await client.reserve();
      try {
        await lockConn`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
        await migratePostgres(db as never, { migrationsFolder });
      } finally {
        await lockConn`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`.catch(() => {});
        lockConn.release();
      }
    },
    close: () => client.end({ timeout: 5 }),
  };
}

/** Opens the database the settings name. */
export function openDb(settings: { databaseUrl: string | null; dataDir: string }): Promise<DbHandle> {
  return settings.databaseUrl ? openPostgres(settings.databaseUrl) : openPglite(settings.dataDir);
}

/**
 * Applies the SQL migrations in `migrationsDir` (relative to the working directory, so a bundled
 * build finds them too).
 */
export function migrate(handle: DbHandle, migrationsDir: string): Promise<void> {
  return handle.migrate(path.resolve(migrationsDir));
}
