/**
 * @module
 * How routes reach Salt: `saltClientOr503(c)` hands out the runtime's current client (read once
 * per request, so a settings reload mid-request cannot switch clients under it) or refuses with a
 * 503 that says why; `wrapSaltErrors(e)` turns the salt client's errors into HTTP errors that the
 * global error handler answers in the request's face (JSON or the alert fragment):
 * SaltApiUnavailable → 503, SaltApiError → 502 with salt-api's own text.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from '../http/env.ts';
import type { SaltApiClient } from './client.ts';
import { SaltApiError, SaltApiUnavailable } from './errors.ts';
import type { SaltStatus } from '../runtime-types.ts';

/** A Salt failure as an HTTP error; `code` is the machine-readable `error` of the JSON body. */
export class SaltHttpError extends HTTPException {
  readonly code: 'salt_unavailable' | 'salt_error';
  constructor(status: 502 | 503, message: string, cause?: unknown) {
    super(status, { message, cause });
    this.code = status === 503 ? 'salt_unavailable' : 'salt_error';
  }
}

/** The sentence a 503 carries for a runtime status. */
export function unavailableMessage(s: SaltStatus | null): string {
  if (!s || s.state === 'unconfigured') {
    return 'Salt is not configured: an administrator sets the salt-api connection in Settings.';
  }
  const retry = s.nextRetryAt ? ` Halite tries again at ${s.nextRetryAt}.` : '';
  const why = s.message ? ` (${s.message})` : '';
  if (s.state === 'login_failed') return `salt-api refused Halite's login${why}.${retry}`;
  if (s.state === 'unreachable') return `salt-api is unreachable since ${s.since}${why}.${retry}`;
  return `The salt-api connection is ${s.state}.${retry}`;
}

/** The current Salt client, or a 503 explaining why there is none. */
export function saltClientOr503(c: Context<AppEnv>): SaltApiClient {
  const runtime = c.var.deps.runtime;
  const client = runtime?.salt ?? null;
  if (client) return client;
  throw new SaltHttpError(503, unavailableMessage(runtime?.status() ?? null));
}

/**
 * Rethrows a salt client error as the matching HTTP error (503 or 502); any other error is
 * rethrown unchanged, so a bug still reaches the 500 handler with its stack.
 */
export function wrapSaltErrors(e: unknown): never {
  if (e instanceof SaltHttpError) throw e;
  if (e instanceof SaltApiUnavailable) throw new SaltHttpError(503, e.message, e);
  if (e instanceof SaltApiError) {
    const text = e.body && !e.message.includes(e.body) ? `${e.message}: ${e.body}` : e.message;
    throw new SaltHttpError(502, text, e);
  }
  throw e;
}

/** Runs `fn` with the current client, mapping Salt errors to 503/502 (and telling the runtime). */
export async function withSalt<T>(c: Context<AppEnv>, fn: (salt: SaltApiClient) => Promise<T>): Promise<T> {
  const salt = saltClientOr503(c);
  try {
    return await fn(salt);
  } catch (e) {
    c.var.deps.runtime?.noteSaltFailure?.(e);
    wrapSaltErrors(e);
  }
}
