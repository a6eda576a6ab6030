/**
 * @module
 * Every table, re-exported from the feature that owns it, so drizzle-kit sees one schema.
 */
export * from '../auth/model.ts';
export * from '../settings/model.ts';
export * from '../jobs/model.ts';
export * from '../minions/model.ts';
export * from '../activity/model.ts';
export * from '../run/model.ts';
export * from '../templates/model.ts';
export * from '../fleet/model.ts';
export * from '../inventory/model.ts';
