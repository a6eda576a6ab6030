/**
 * @module
 * The global error handler: an unexpected exception is logged with its stack and the request id,
 * and the client gets a generic 500 carrying that id — never the stack or the message.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppEnv } from './env.ts';
import { problem } from './problem.ts';
import { SaltHttpError } from '../salt/deps.ts';

export async function onError(err: Error, c: Context<AppEnv>): Promise<Response> {
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    const code = err instanceof SaltHttpError ? err.code : httpErrorCode(status);
    return problem(c, status, { error: code, message: err.message || 'Request refused' });
  }
  const log = c.var.log ?? c.var.deps?.logger;
  log?.error('unhandled error', { error: err.message, stack: err.stack, method: c.req.method, path: c.req.path });
  return problem(c, 500, {
    error: 'internal_error',
    message: 'Halite hit an unexpected error. The request id below finds it in the server log.',
  });
}

export function notFound(c: Context<AppEnv>): Promise<Response> {
  return problem(c, 404, { error: 'not_found', message: `Nothing at ${c.req.path}` });
}

function httpErrorCode(status: number): string {
  if (status === 400) return 'bad_request';
  if (status === 401) return 'unauthenticated';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 413) return 'payload_too_large';
  return 'http_error';
}
