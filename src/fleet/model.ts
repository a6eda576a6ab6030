/**
 * @module
 * Fleet compliance: `fleet_health` keeps each minion's latest state run (state.apply,
 * state.highstate, state.sls; test runs excluded) as read from its return; `fleet_state_jobs`
 * remembers which state jobs were already read (so each is looked up once it finished);
 * `fleet_daily` is one row of counts per day, the trend's history.
 * Stale and unknown are not stored per minion: they depend on the time of reading.
 */
import { sql } from 'drizzle-orm';
import { boolean, date, index, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/** What a minion's latest state run says. */
export const RUN_OUTCOMES = ['healthy', 'changed', 'unhealthy', 'blocked'] as const;
export type RunOutcome = (typeof RUN_OUTCOMES)[number];

/** A minion's health: a run outcome, or stale (last run too old) or unknown (never run). */
export const HEALTH_STATUSES = ['healthy', 'changed', 'unhealthy', 'blocked', 'stale', 'unknown'] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

export const fleetHealth = pgTable(
  'fleet_health',
  {
    masterId: text().notNull().default('default'),
    minionId: text().notNull(),
    jid: text().notNull(),
    function: text().notNull(),
    /** The job's start time: which run is the latest. */
    runAt: timestamp({ withTimezone: true }).notNull(),
    outcome: text().$type<RunOutcome>().notNull(),
    total: integer().notNull().default(0),
    passed: integer().notNull().default(0),
    changed: integer().notNull().default(0),
    failed: integer().notNull().default(0),
    /** The `__id__` of every failing state. */
    failingStates: text().array().notNull().default(sql`'{}'::text[]`),
    /** Render or compile errors (a list-of-strings return), or the text a minion returned instead of states. */
    errors: text().array().notNull().default(sql`'{}'::text[]`),
    updatedAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.masterId, t.minionId] }),
    index('fleet_health_outcome_idx').on(t.masterId, t.outcome, t.minionId),
    index('fleet_health_failing_idx').using('gin', t.failingStates),
  ],
);

export const fleetStateJobs = pgTable(
  'fleet_state_jobs',
  {
    masterId: text().notNull().default('default'),
    jid: text().notNull(),
    startTime: timestamp({ withTimezone: true }).notNull(),
    /** Minion returns read at the last lookup. */
    returned: integer().notNull().default(0),
    /** Finished and read: never looked up again. */
    complete: boolean().notNull().default(false),
    lookedUpAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.masterId, t.jid] })],
);

export const fleetDaily = pgTable(
  'fleet_daily',
  {
    masterId: text().notNull().default('default'),
    /** UTC day. */
    day: date({ mode: 'string' }).notNull(),
    healthy: integer().notNull().default(0),
    changed: integer().notNull().default(0),
    unhealthy: integer().notNull().default(0),
    blocked: integer().notNull().default(0),
    stale: integer().notNull().default(0),
    unknown: integer().notNull().default(0),
    updatedAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.masterId, t.day] })],
);

export type FleetHealthRow = typeof fleetHealth.$inferSelect;
export type NewFleetHealthRow = typeof fleetHealth.$inferInsert;
export type FleetDailyRow = typeof fleetDaily.$inferSelect;
