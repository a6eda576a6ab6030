/**
 * @module
 * The public shapes of the activity feature: one kept event, a page of history, the query that
 * filters it, and the status of the upstream event stream.
 */
import { z } from '@hono/zod-openapi';
import { ACTIVITY_CATEGORIES, ACTIVITY_KINDS } from './normalize.ts';

export const ActivityCategorySchema = z.enum(ACTIVITY_CATEGORIES as [string, ...string[]]).openapi('ActivityCategory');

export const ActivityEvent = z
  .object({
    id: z.number().int().openapi({ description: 'Monotonic; the SSE event id (Last-Event-ID resumes after it)' }),
    master_id: z.string(),
    at: z.string().openapi({ description: 'ISO time Salt stamped the event (master time read as UTC)' }),
    category: ActivityCategorySchema,
    kind: z.enum(ACTIVITY_KINDS as [string, ...string[]]),
    tag: z.string(),
    jid: z.string().nullable(),
    minion: z.string().nullable(),
    fun: z.string().nullable(),
    outcome: z.enum(['ok', 'changes', 'failed']).nullable(),
    summary: z.string(),
    data: z.record(z.string(), z.unknown()),
    backfilled: z.boolean().openapi({ description: 'Recovered from jobs.list_jobs after a gap in the stream' }),
  })
  .openapi('ActivityEvent');
export type ActivityEvent = z.infer<typeof ActivityEvent>;

export const ActivityPage = z
  .object({
    data: z.array(ActivityEvent),
    count: z.number().int(),
    next_before: z.number().int().nullable().openapi({ description: 'Pass as `before` for the next (older) page; null at the end' }),
  })
  .openapi('ActivityPage');
export type ActivityPage = z.infer<typeof ActivityPage>;

/** Query booleans and numbers arrive as strings. */
const intParam = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const isoParam = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO date-time');

export const ActivityQuery = z.object({
  category: z
    .string()
    .optional()
    .refine((s) => !s || s.split(',').every((c) => (ACTIVITY_CATEGORIES as readonly string[]).includes(c)), 'job, key or minion (comma-separated)')
    .openapi({ description: 'Comma-separated: job, key, minion', example: 'job,key' }),
  kind: z.enum(ACTIVITY_KINDS as [string, ...string[]]).optional(),
  tag: z.string().max(300).optional().openapi({ description: 'Tag prefix, e.g. `salt/job/`' }),
  minion: z.string().max(300).optional(),
  jid: z.string().regex(/^\d{20}$/, 'a jid is 20 digits').optional(),
  since: isoParam.optional().openapi({ description: 'ISO date-time, inclusive' }),
  until: isoParam.optional().openapi({ description: 'ISO date-time, exclusive' }),
  before: intParam(1, Number.MAX_SAFE_INTEGER).optional().openapi({ description: 'Only events with a smaller id (paging)' }),
  limit: intParam(1, 500).default(100),
});
export type ActivityQuery = z.infer<typeof ActivityQuery>;

export const StreamStatusSchema = z
  .object({
    state: z.enum(['off', 'connecting', 'connected', 'reconnecting']),
    since: z.string(),
    message: z.string().nullable(),
    last_event_at: z.string().nullable(),
  })
  .openapi('ActivityStreamStatus');
export type StreamStatus = z.infer<typeof StreamStatusSchema>;

export const StreamQuery = z.object({
  format: z.enum(['json', 'html']).default('json').openapi({
    description: '`json`: each event\'s data is the ActivityEvent JSON (event type = category). `html`: escaped fragments for htmx (see the route description).',
  }),
  after: z
    .union([z.literal('now'), intParam(0, Number.MAX_SAFE_INTEGER)])
    .optional()
    .openapi({ description: 'Resume after this event id (like Last-Event-ID, which wins when both are sent); `now` skips the replay' }),
});
