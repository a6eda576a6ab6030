/**
 * @module
 * `run_dispatches`: one row per command Halite dispatched (POST /api/run), keyed by (master_id,
 * jid). It keeps what the job list cannot say right after the dispatch — the minions Salt said it
 * targeted and who asked — so the run page can count pending minions from the first second and
 * after a reload.
 */
import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

export const runDispatches = pgTable(
  'run_dispatches',
  {
    masterId: text().notNull().default('default'),
    jid: text().notNull(),
    userId: integer(),
    username: text().notNull().default(''),
    fun: text().notNull(),
    target: text().notNull(),
    targetType: text().notNull(),
    args: jsonb().$type<unknown[]>().notNull().default(sql`'[]'::jsonb`),
    kwargs: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    batch: text(),
    timeout: integer(),
    /** The minions salt-api's local_async answer listed. */
    minions: text().array().notNull().default(sql`'{}'::text[]`),
    dispatchedAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.masterId, t.jid] }), index('run_dispatches_user_idx').on(t.masterId, t.userId, t.dispatchedAt.desc())],
);

export type RunDispatchRow = typeof runDispatches.$inferSelect;
