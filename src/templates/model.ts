/**
 * @module
 * `templates`: saved commands. A template belongs to the user who made it (`owner_id`); its name is
 * unique per owner; `is_shared` lets every user who may view templates see and use it, while only
 * its owner edits or deletes it.
 */
import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { users } from '../auth/model.ts';

export const templates = pgTable(
  'templates',
  {
    id: serial().primaryKey(),
    ownerId: integer()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text().notNull(),
    description: text().notNull().default(''),
    isShared: boolean().notNull().default(false),
    target: text().notNull(),
    targetType: text().notNull().default('glob'),
    fun: text().notNull(),
    args: jsonb().$type<unknown[]>().notNull().default(sql`'[]'::jsonb`),
    kwargs: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    /** A count (`10`) or a percentage (`25%`), as Salt's `batch` takes it; null runs all at once. */
    batch: text(),
    /** Seconds salt-api waits for returns; null leaves Salt's default. */
    timeout: integer(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('templates_owner_name_idx').on(t.ownerId, t.name),
    index('templates_shared_idx').on(t.isShared, t.name),
  ],
);

export type TemplateRow = typeof templates.$inferSelect;
export type NewTemplateRow = typeof templates.$inferInsert;
