/**
 * @module
 * One structured log line per request: request id, method, path, status, duration.
 * Query strings are left out (they can carry tokens, e.g. salt-api's /events?token=).
 */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './env.ts';
import type { Logger } from '../log.ts';

export function requestLogger(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    const log = logger.child({ request_id: c.var.requestId });
    c.set('log', log);
    await next();
    const status = c.res.status;
    const fields = {
      method: c.req.method,
      path: c.req.path,
      status,
      duration_ms: Math.round((performance.now() - started) * 10) / 10,
    };
    if (status >= 500) log.error('request', fields);
    else if (c.req.path.startsWith('/static/') || c.req.path === '/healthz') log.debug('request', fields);
    else log.info('request', fields);
  };
}
