/**
 * @module
 * `minion_snapshots`: one row per minion key the master knows, reconciled by the minions poller
 * (src/minions/ingest.ts) from wheel key.list_all, runner manage.present and runner cache.grains.
 * `minion_ingest_parts`: when each of those three parts last succeeded or failed, so the pages
 * can say precisely which part of the snapshot is stale and why.
 */
import { sql } from 'drizzle-orm';
import { boolean, index, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/** Salt's four key states (wheel key.list_all's minions, minions_pre, minions_rejected, minions_denied). */
export const KEY_STATUSES = ['accepted', 'pending', 'rejected', 'denied'] as const;
export type KeyStatus = (typeof KEY_STATUSES)[number];

export const minionSnapshots = pgTable(
  'minion_snapshots',
  {
    masterId: text().notNull().default('default'),
    id: text().notNull(),
    keyStatus: text().$type<KeyStatus>().notNull(),
    /** In manage.present's answer at the last successful presence poll. */
    present: boolean().notNull().default(false),
    ip: text(),
    os: text(),
    osrelease: text(),
    kernel: text(),
    saltversion: text(),
    roles: text().array().notNull().default(sql`'{}'::text[]`),
    /** cache.grains for the minion, as Salt returned it ({} until its grains are known). */
    grains: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    /** Lowercased id, ip and every scalar grain value: the free-text filter is a LIKE over it. */
    searchText: text().notNull().default(''),
    /** Hash of the grains JSON ('' until known): a tick rewrites grains only when it changed. */
    grainsHash: text().notNull().default(''),
    /** Hash of everything stored for the row: a tick writes only rows whose hash changed. */
    contentHash: text().notNull(),
    firstSeen: timestamp({ withTimezone: true }).notNull(),
    /**
     * When the minion was last seen present. Written on presence transitions only (so a steady
     * tick writes nothing); while a minion is present the API reports the presence poll's time.
     */
    lastSeen: timestamp({ withTimezone: true }),
    /** When the row's content last changed. */
    updatedAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.masterId, t.id] }),
    // One index per list filter, each ending in id so the filtered list comes out sorted.
    index('minion_snapshots_key_status_idx').on(t.masterId, t.keyStatus, t.id),
    index('minion_snapshots_present_idx').on(t.masterId, t.present, t.id),
    index('minion_snapshots_os_idx').on(t.masterId, t.os, t.id),
    index('minion_snapshots_saltversion_idx').on(t.masterId, t.saltversion, t.id),
    index('minion_snapshots_roles_idx').using('gin', t.roles),
  ],
);

export type MinionSnapshotRow = typeof minionSnapshots.$inferSelect;
export type NewMinionSnapshotRow = typeof minionSnapshots.$inferInsert;

/** The three salt-api calls of a tick. */
export const INGEST_PARTS = ['keys', 'presence', 'grains'] as const;
export type IngestPart = (typeof INGEST_PARTS)[number];

export const minionIngestParts = pgTable(
  'minion_ingest_parts',
  {
    masterId: text().notNull().default('default'),
    part: text().$type<IngestPart>().notNull(),
    lastSuccessAt: timestamp({ withTimezone: true }),
    lastErrorAt: timestamp({ withTimezone: true }),
    /** The last failure's message; cleared by the next success. */
    lastError: text(),
  },
  (t) => [primaryKey({ columns: [t.masterId, t.part] })],
);

export type MinionIngestPartRow = typeof minionIngestParts.$inferSelect;
