/** @module The fleet routes' shapes: FleetHealth (counts, rows, top failing states, trend) and its query. */
import { z } from '@hono/zod-openapi';
import { HEALTH_STATUSES } from './model.ts';

export const HealthStatusSchema = z.enum(HEALTH_STATUSES).openapi('HealthStatus', {
  description: 'healthy: every state passed, no changes · changed: passed with changes · unhealthy: a state failed · blocked: render/compile error · stale: last run older than the stale period · unknown: never run',
});

export const HealthCounts = z
  .object({
    healthy: z.number().int(), changed: z.number().int(), unhealthy: z.number().int(), blocked: z.number().int(),
    stale: z.number().int(), unknown: z.number().int(), total: z.number().int(),
  })
  .openapi('HealthCounts');
export type HealthCounts = z.infer<typeof HealthCounts>;

export const MinionHealth = z
  .object({
    minion_id: z.string().openapi({ example: 'web0001' }),
    status: HealthStatusSchema,
    jid: z.string().nullable().openapi({ description: 'The latest state run' }),
    function: z.string().nullable(),
    run_at: z.string().nullable().openapi({ description: 'ISO 8601 start of the latest state run' }),
    total: z.number().int(), passed: z.number().int(), changed: z.number().int(), failed: z.number().int(),
    failing_states: z.array(z.string()).openapi({ description: 'State ids that failed' }),
    errors: z.array(z.string()).openapi({ description: 'Render or compile errors' }),
  })
  .openapi('MinionHealth');
export type MinionHealth = z.infer<typeof MinionHealth>;

export const FailingState = z.object({ state_id: z.string(), minions: z.number().int() }).openapi('FailingState');

export const TrendDay = z
  .object({
    day: z.string().openapi({ example: '2026-11-25' }),
    healthy: z.number().int(), changed: z.number().int(), unhealthy: z.number().int(), blocked: z.number().int(),
    stale: z.number().int(), unknown: z.number().int(),
  })
  .openapi('FleetTrendDay');
export type TrendDay = z.infer<typeof TrendDay>;

export const FleetHealth = z
  .object({
    counts: HealthCounts,
    data: z.array(MinionHealth),
    total: z.number().int().openapi({ description: 'Rows matching the filters' }),
    limit: z.number().int(),
    offset: z.number().int(),
    top_failing: z.array(FailingState).openapi({ description: 'State ids failing on the most minions (unhealthy, not stale)' }),
    trend: z.array(TrendDay).openapi({ description: 'Stored daily counts of the last 30 days, oldest first; days without a snapshot are absent' }),
    stale_after_days: z.number(),
  })
  .openapi('FleetHealth');
export type FleetHealth = z.infer<typeof FleetHealth>;

export const FleetQuery = z.object({
  status: HealthStatusSchema.optional(),
  q: z.string().trim().max(200, 'must be at most 200 characters').optional().openapi({ description: 'Part of a minion id' }),
  state: z.string().max(255).optional().openapi({ description: 'Only minions where this state id failed' }),
  limit: z.coerce.number().int().min(1, 'must be ≥ 1').max(500, 'must be ≤ 500').default(50),
  offset: z.coerce.number().int().min(0, 'must be ≥ 0').max(10_000_000).default(0),
});
export type FleetQuery = z.infer<typeof FleetQuery>;
