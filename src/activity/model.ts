/**
 * @module
 * `activity_events`: the kept Salt events, in arrival order. The bigserial `id` is the SSE event id
 * browsers resume from (Last-Event-ID), so it must only ever grow.
 */
import { bigserial, boolean, index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const activityEvents = pgTable(
  'activity_events',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    masterId: text().notNull().default('default'),
    /** When Salt says it happened (`_stamp`, master time read as UTC), else when it arrived. */
    at: timestamp({ withTimezone: true }).notNull(),
    receivedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** `job` | `key` | `minion`: decides which permission may see it. */
    category: text().notNull(),
    /** `job.new`, `job.ret`, `key.accept`, `key.reject`, `key.delete`, `key.pend`, `minion.start`. */
    kind: text().notNull(),
    tag: text().notNull(),
    jid: text(),
    minion: text(),
    fun: text(),
    /** For job.ret: `ok` | `changes` | `failed`. */
    outcome: text(),
    summary: text().notNull(),
    /** A trimmed copy of the event data (never a job's full return, never a public key). */
    data: jsonb().notNull().default({}),
    /** Inserted by the backfill after a gap in the stream (from jobs.list_jobs), not seen live. */
    backfilled: boolean().notNull().default(false),
  },
  (t) => [
    index('activity_events_master_at').on(t.masterId, t.at),
    index('activity_events_jid').on(t.jid),
    index('activity_events_minion').on(t.minion),
    index('activity_events_category_id').on(t.category, t.id),
  ],
);

export type ActivityEventRow = typeof activityEvents.$inferSelect;
export type NewActivityEventRow = typeof activityEvents.$inferInsert;
