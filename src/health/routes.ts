/**
 * @module
 * Liveness and readiness. /healthz says the process is up; /readyz says the database answers
 * and reports the Salt connection (Salt being down does not make Halite unready: it still serves).
 */
import { z } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import { createRouter } from '../http/router.ts';
import { secureRoute } from '../http/route.ts';
import { PUBLIC } from '../auth/access.ts';

const Health = z.object({ status: z.literal('ok') }).openapi('Health');
const Ready = z
  .object({
    status: z.enum(['ready', 'not_ready']),
    database: z.enum(['ok', 'error']),
    salt: z
      .object({
        state: z.enum(['unconfigured', 'connecting', 'ok', 'login_failed', 'unreachable']),
        message: z.string().nullable(),
        since: z.string(),
        next_retry_at: z.string().nullable(),
      })
      .nullable(),
  })
  .openapi('Readiness');

const healthz = secureRoute(PUBLIC, {
  method: 'get',
  path: '/healthz',
  tags: ['health'],
  summary: 'Liveness: the process is up',
  responses: { 200: { description: 'Up', content: { 'application/json': { schema: Health } } } },
});

const readyz = secureRoute(PUBLIC, {
  method: 'get',
  path: '/readyz',
  tags: ['health'],
  summary: 'Readiness: the database answers; the Salt connection status',
  responses: {
    200: { description: 'Ready', content: { 'application/json': { schema: Ready } } },
    503: { description: 'The database does not answer', content: { 'application/json': { schema: Ready } } },
  },
});

export const healthRoutes = createRouter()
  .openapi(healthz, (c) => c.json({ status: 'ok' as const }, 200))
  .openapi(readyz, async (c) => {
    const { db, runtime } = c.var.deps;
    let database: 'ok' | 'error' = 'ok';
    try {
      await db.execute(sql`select 1`);
    } catch (e) {
      database = 'error';
      c.var.log.warn('readiness: database check failed', { error: (e as Error).message });
    }
    const s = runtime?.status();
    const salt = s ? { state: s.state, message: s.message, since: s.since, next_retry_at: s.nextRetryAt } : null;
    if (database === 'ok') return c.json({ status: 'ready' as const, database, salt }, 200);
    return c.json({ status: 'not_ready' as const, database, salt }, 503);
  });
