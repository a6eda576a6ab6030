/** @module The jobs routes' request and response shapes (one family: Job, JobPage, JobDetail, ...). */
import { z } from '@hono/zod-openapi';

export const JobStatus = z.enum(['running', 'complete']).openapi('JobStatus');

export const JobResultSummary = z
  .object({
    returned: z.number().int(),
    succeeded: z.number().int(),
    failed: z.number().int(),
  })
  .openapi('JobResultSummary');

export const Job = z
  .object({
    jid: z.string().openapi({ example: '20261124152935251082' }),
    function: z.string().openapi({ example: 'state.apply' }),
    arguments: z.array(z.unknown()),
    target: z.string(),
    target_type: z.string(),
    user: z.string(),
    start_time: z.string().openapi({ description: 'ISO 8601, UTC' }),
    minions: z.array(z.string()),
    minion_count: z.number().int(),
    status: JobStatus,
    result: JobResultSummary.nullable().openapi({ description: 'Null until the job was looked up after it finished' }),
  })
  .openapi('Job');
export type Job = z.infer<typeof Job>;

export const JobPage = z
  .object({
    data: z.array(Job),
    total: z.number().int(),
    total_capped: z.boolean().openapi({ description: 'More than `total` jobs match (the count stops at 10,000)' }),
    limit: z.number().int(),
    offset: z.number().int(),
    live: z.boolean().openapi({ description: 'Read from the master instead of the index' }),
    capped: z.boolean().openapi({ description: 'Live mode only: the master had more jobs than the cap' }),
    active_at: z.string().nullable().openapi({ description: 'When the running set was last read' }),
  })
  .openapi('JobPage');
export type JobPage = z.infer<typeof JobPage>;

const boolish = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1');

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?$/;

/** A query time: ISO 8601; without an offset (a `datetime-local` field) it is UTC. */
export function queryTime(v: string): Date {
  return new Date(/(Z|[+-]\d{2}:\d{2})$/.test(v) ? v : `${v}Z`);
}

const isoDate = z
  .string()
  .refine((v) => ISO.test(v) && !Number.isNaN(queryTime(v).getTime()), 'must be an ISO 8601 date-time')
  .openapi({ format: 'date-time' });
// An empty form field means "no filter".
const orEmpty = <T extends z.ZodType>(t: T) => z.union([t, z.literal('')]);

export const JobQuery = z.object({
  function: z.string().max(200).optional().openapi({ description: 'Exact function, or a prefix ending in `.` or `*` (`state.`, `test.*`)' }),
  target: z.string().max(500).optional(),
  user: z.string().max(200).optional(),
  minion: z.string().max(500).optional().openapi({ description: 'Jobs that targeted this minion (the index only: ignored with live=true, list_jobs does not say)' }),
  status: orEmpty(JobStatus).optional(),
  from: orEmpty(isoDate).optional(),
  to: orEmpty(isoDate).optional(),
  limit: z.coerce.number().int().min(1, 'must be ≥ 1').max(500, 'must be ≤ 500').default(50),
  offset: z.coerce.number().int().min(0, 'must be ≥ 0').max(1_000_000).default(0),
  live: boolish.optional().openapi({ type: 'string', enum: ['true', 'false'], description: 'Read from the master (capped at 500)' }),
});
export type JobQuery = z.infer<typeof JobQuery>;

export const JidParam = z.object({
  jid: z
    .string()
    .regex(/^\d{20}$/, 'must be a 20-digit jid')
    .openapi({ param: { name: 'jid', in: 'path' }, example: '20261124152935251082' }),
});

export const StateResult = z
  .object({
    key: z.string(),
    id: z.string(),
    function: z.string().openapi({ example: 'file.managed' }),
    name: z.string(),
    sls: z.string().nullable(),
    run_num: z.number().nullable(),
    result: z.enum(['pass', 'fail', 'changed', 'would_change']),
    duration_ms: z.number().nullable(),
    start_time: z.string().nullable(),
    comment: z.string(),
    changes: z.unknown(),
  })
  .openapi('StateResult');

export const StateCounts = z
  .object({ total: z.number().int(), pass: z.number().int(), fail: z.number().int(), changed: z.number().int(), would_change: z.number().int() })
  .openapi('StateCounts');

export const ParsedReturn = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('states'), states: z.array(StateResult), counts: StateCounts }),
    z.object({ kind: z.literal('render_error'), errors: z.array(z.string()) }),
    z.object({ kind: z.literal('raw') }),
  ])
  .openapi('ParsedReturn');

export const JobMinionResult = z
  .object({
    minion: z.string(),
    status: z.enum(['returned', 'pending']),
    success: z.boolean().nullable(),
    retcode: z.number().nullable(),
    return: z.unknown(),
    parsed: ParsedReturn.nullable().openapi({ description: 'State results for state jobs; null for other functions and pending minions' }),
  })
  .openapi('JobMinionResult');

export const JobDetail = z
  .object({
    job: Job,
    minions: z.array(JobMinionResult),
    is_state: z.boolean(),
    counts: StateCounts.nullable().openapi({ description: 'State counts over every minion, for state jobs' }),
  })
  .openapi('JobDetail');
export type JobDetail = z.infer<typeof JobDetail>;

export const KillResult = z
  .object({
    jid: z.string(),
    minions: z.array(z.string()),
    signalled: z.record(z.string(), z.unknown()).openapi({ description: "Each minion's reply to saltutil.kill_job" }),
  })
  .openapi('KillResult');
export type KillResult = z.infer<typeof KillResult>;

export const ActivityBucket = z
  .object({
    start: z.string(),
    running: z.number().int(),
    succeeded: z.number().int(),
    failed: z.number().int(),
    unknown: z.number().int(),
  })
  .openapi('JobActivityBucket');

export const JobActivity = z
  .object({ from: z.string(), to: z.string(), hours: z.array(ActivityBucket), days: z.array(ActivityBucket) })
  .openapi('JobActivity');
export type JobActivity = z.infer<typeof JobActivity>;

export const TimelineQuery = z.object({
  from: isoDate.optional().openapi({ description: 'Default: 24 h before `to`' }),
  to: isoDate.optional().openapi({ description: 'Default: now' }),
  limit: z.coerce.number().int().min(1).max(5000, 'must be ≤ 5000').default(1000),
});

export const JobTimeline = z
  .object({
    from: z.string(),
    to: z.string(),
    truncated: z.boolean(),
    jobs: z.array(
      z.object({
        jid: z.string(),
        function: z.string(),
        target: z.string(),
        start_time: z.string(),
        outcome: z.enum(['running', 'succeeded', 'failed', 'unknown']),
      }),
    ),
  })
  .openapi('JobTimeline');
export type JobTimeline = z.infer<typeof JobTimeline>;
