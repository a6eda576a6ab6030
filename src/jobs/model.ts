/**
 * @module
 * `jobs_index`: one row per Salt job seen in the master's job cache (runner `jobs.list_jobs`),
 * enriched with the targeted minions and a result summary from `jobs.list_job` once known.
 * Keyed by (master_id, jid) so several masters can share the table later.
 */
import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

export const jobsIndex = pgTable(
  'jobs_index',
  {
    masterId: text().notNull().default('default'),
    /** 20 digits, YYYYMMDDhhmmssffffff in master local time; always a string. */
    jid: text().notNull(),
    function: text().notNull(),
    /** Salt's `Arguments` as recorded (positional args and `{__kwarg__: true, ...}` dicts). */
    arguments: jsonb().$type<unknown[]>().notNull().default(sql`'[]'::jsonb`),
    /** A glob/expression string, or the list target joined by commas. */
    target: text().notNull().default(''),
    targetType: text().notNull().default('glob'),
    user: text().notNull().default(''),
    startTime: timestamp({ withTimezone: true, precision: 6 }).notNull(),
    /** The targeted minions (from `jobs.list_job`'s `Minions`); empty until enriched. */
    minions: text().array().notNull().default(sql`'{}'::text[]`),
    minionCount: integer().notNull().default(0),
    /** The result summary, null until the job was looked up after it finished. */
    returned: integer(),
    succeeded: integer(),
    failed: integer(),
    summaryAt: timestamp({ withTimezone: true }),
    firstSeenAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.masterId, t.jid] }),
    // Exactly the list's ORDER BY (DESC is NULLS FIRST in Postgres), or the planner sorts the table.
    index('jobs_index_start_time_idx').on(t.masterId, t.startTime.desc().nullsFirst(), t.jid.desc().nullsFirst()),
    // text_pattern_ops so a prefix filter (`state.%`) can use the index whatever the collation.
    index('jobs_index_function_idx').on(t.masterId, t.function.op('text_pattern_ops')),
    index('jobs_index_user_idx').on(t.masterId, t.user),
    index('jobs_index_minions_idx').using('gin', t.minions),
  ],
);

export type JobRow = typeof jobsIndex.$inferSelect;
export type NewJobRow = typeof jobsIndex.$inferInsert;
