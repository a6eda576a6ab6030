/**
 * @module
 * The one `Db` type both drivers satisfy. Services take a `Db` and never know whether it is the
 * embedded PGlite or a real PostgreSQL behind it.
 */
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type * as schema from './schema.ts';

export type Schema = typeof schema;

/** A drizzle database over either driver, typed with the whole schema. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

/** Which engine a handle talks to. */
export type DbEngine = 'pglite' | 'postgres';

/** An open database and how to close it. */
export interface DbHandle {
  db: Db;
  engine: DbEngine;
  /** Applies the drizzle-kit migrations in an absolute folder. */
  migrate(migrationsFolder: string): Promise<void>;
  close(): Promise<void>;
}

/** The column naming both drizzle-kit and the runtime use; they must agree. */
export const DB_CASING = 'snake_case' as const;
