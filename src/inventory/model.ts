/**
 * @module
 * The package inventory: `inventory_packages` holds one row per (minion, package, version) from
 * `pkg.list_pkgs` — a package installed in several versions (kernels) has several rows;
 * `inventory_minions` holds, per minion, the hash of its whole package set, so a tick skips a
 * minion whose set did not change without reading its rows.
 */
import { sql } from 'drizzle-orm';
import { index, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/** The package format of a minion, from its os_family grain: it picks the version ordering. */
export const PACKAGE_SOURCES = ['deb', 'rpm', 'other'] as const;
export type PackageSource = (typeof PACKAGE_SOURCES)[number];

export const inventoryPackages = pgTable(
  'inventory_packages',
  {
    masterId: text().notNull().default('default'),
    minionId: text().notNull(),
    name: text().notNull(),
    version: text().notNull(),
    source: text().$type<PackageSource>().notNull(),
  },
  (t) => [
    // Minion first: a tick diffs one minion's rows at a time.
    primaryKey({ columns: [t.masterId, t.minionId, t.name, t.version] }),
    // Name searches (case-insensitive prefix: text_pattern_ops whatever the collation), exact
    // name lookups and (name, version) counts all use this one index.
    index('inventory_packages_name_idx').on(t.masterId, sql`lower(${t.name}) text_pattern_ops`, t.version),
  ],
);

export const inventoryMinions = pgTable(
  'inventory_minions',
  {
    masterId: text().notNull().default('default'),
    minionId: text().notNull(),
    source: text().$type<PackageSource>().notNull(),
    osFamily: text(),
    packageCount: integer().notNull(),
    /** Hash of the sorted `name=version` list: equal hash, nothing to write. */
    packagesHash: text().notNull(),
    /** The job whose return wrote the current set. */
    jid: text().notNull(),
    /** When the package set last changed. */
    updatedAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.masterId, t.minionId] })],
);

/**
 * How many minions run each (name, source, version): kept in step with `inventory_packages` by the
 * write layer (+1 per inserted row, −1 per deleted row), so a package's versions — the first step
 * of a version search — are a few rows instead of a scan over every minion that has the package.
 */
export const inventoryVersions = pgTable(
  'inventory_versions',
  {
    masterId: text().notNull().default('default'),
    name: text().notNull(),
    source: text().$type<PackageSource>().notNull(),
    version: text().notNull(),
    minions: integer().notNull(),
  },
  (t) => [primaryKey({ columns: [t.masterId, t.name, t.source, t.version] })],
);

export type InventoryPackageRow = typeof inventoryPackages.$inferSelect;
export type InventoryMinionRow = typeof inventoryMinions.$inferSelect;
