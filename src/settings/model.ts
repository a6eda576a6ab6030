/**
 * @module
 * The runtime settings: the single `app_settings` row (id fixed at 1) the Settings page edits and
 * RuntimeConfig applies, and `poller_status`, each poller's last success and last error, kept so
 * pages can show how stale their data is even right after a restart.
 */
import { sql } from 'drizzle-orm';
import { boolean, check, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/** Defaults of a fresh install; the row is created with these on first read or save. */
export const APP_SETTINGS_DEFAULTS = {
  saltApiUrl: null as string | null,
  saltApiEauth: 'auto',
  saltApiUsername: null as string | null,
  saltApiPasswordEnc: null as string | null,
  minionsPollIntervalS: 60,
  jobsPollIntervalS: 30,
  fleetPollIntervalS: 300,
  inventoryPollIntervalS: 3600,
  eventStreamEnabled: true,
  saltApiVerifyTls: true,
  saltApiCaBundle: null as string | null,
  saltApiTimeoutS: 30,
  jobsRetentionDays: 90,
  activityRetentionDays: 30,
  /** A minion whose last state run is older than this is `stale` on the Fleet page. */
  fleetStaleAfterDays: 2,
  runConfirmThreshold: 10,
};

export const appSettings = pgTable(
  'app_settings',
  {
    // One row only: the check constraint makes a second row impossible, not merely unused.
    id: integer().primaryKey().default(1),
    saltApiUrl: text(),
    saltApiEauth: text().notNull().default(APP_SETTINGS_DEFAULTS.saltApiEauth),
    saltApiUsername: text(),
    /** AES-256-GCM under a key derived from HALITE_SECRET_KEY (src/settings/crypto.ts); never sent out. */
    saltApiPasswordEnc: text(),
    minionsPollIntervalS: integer().notNull().default(APP_SETTINGS_DEFAULTS.minionsPollIntervalS),
    jobsPollIntervalS: integer().notNull().default(APP_SETTINGS_DEFAULTS.jobsPollIntervalS),
    fleetPollIntervalS: integer().notNull().default(APP_SETTINGS_DEFAULTS.fleetPollIntervalS),
    inventoryPollIntervalS: integer().notNull().default(APP_SETTINGS_DEFAULTS.inventoryPollIntervalS),
    eventStreamEnabled: boolean().notNull().default(APP_SETTINGS_DEFAULTS.eventStreamEnabled),
    saltApiVerifyTls: boolean().notNull().default(APP_SETTINGS_DEFAULTS.saltApiVerifyTls),
    saltApiCaBundle: text(),
    saltApiTimeoutS: integer().notNull().default(APP_SETTINGS_DEFAULTS.saltApiTimeoutS),
    jobsRetentionDays: integer().notNull().default(APP_SETTINGS_DEFAULTS.jobsRetentionDays),
    activityRetentionDays: integer().notNull().default(APP_SETTINGS_DEFAULTS.activityRetentionDays),
    fleetStaleAfterDays: integer().notNull().default(APP_SETTINGS_DEFAULTS.fleetStaleAfterDays),
    runConfirmThreshold: integer().notNull().default(APP_SETTINGS_DEFAULTS.runConfirmThreshold),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedBy: text(),
  },
  (t) => [check('app_settings_single_row', sql`${t.id} = 1`)],
);

export type AppSettingsRow = typeof appSettings.$inferSelect;

/** One row per (master, poller): when it last succeeded and how it last failed. */
export const pollerStatus = pgTable(
  'poller_status',
  {
    masterId: text().notNull().default('default'),
    name: text().notNull(),
    lastSuccessAt: timestamp({ withTimezone: true }),
    lastDurationMs: integer(),
    lastErrorAt: timestamp({ withTimezone: true }),
    lastError: text(),
  },
  (t) => [primaryKey({ columns: [t.masterId, t.name] })],
);

export type PollerStatusRow = typeof pollerStatus.$inferSelect;
