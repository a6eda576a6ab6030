/** @module The audit log's API shapes. */
import { z } from '@hono/zod-openapi';

const optionalDate = z
  .string()
  .trim()
  .optional()
  .transform((v, ctx) => {
    if (!v) return undefined;
    const d = new Date(v);
    if (Number.isNaN(d.getTime())) {
      ctx.addIssue({ code: 'custom', message: 'must be an ISO date or date-time' });
      return z.NEVER;
    }
    return d;
  })
  .openapi({ type: 'string', format: 'date-time' });

export const AuditQuery = z.object({
  user_id: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().positive().optional()),
  action: z.string().trim().max(64).optional().transform((v) => v || undefined),
  decision: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['allow', 'deny', 'ok', 'error']).optional()),
  since: optionalDate,
  until: optionalDate,
  limit: z.coerce.number().int().min(1, 'must be at least 1').max(500, 'must be at most 500').default(100),
  offset: z.coerce.number().int().min(0, 'must be 0 or more').default(0),
});

export const AuditEntry = z
  .object({
    id: z.number().int(),
    at: z.string(),
    user_id: z.number().int().nullable(),
    username: z.string().nullable(),
    action: z.string(),
    resource: z.string(),
    decision: z.string(),
    request_id: z.string().nullable(),
    client_addr: z.string().nullable(),
    payload: z.unknown(),
    jid: z.string().nullable(),
    detail: z.string().nullable(),
  })
  .openapi('AuditEntry');

export const AuditPage = z
  .object({ data: z.array(AuditEntry), limit: z.number().int(), offset: z.number().int() })
  .openapi('AuditPage');
