/**
 * @module
 * Route declarations that cannot forget their permission: `secureRoute` wraps `createRoute` with
 * the guard and writes the access into the OpenAPI operation (`x-halite-permission`); `pageRoute`
 * does the same for HTML pages and records them in PAGE_ROUTES for the RBAC matrix test.
 */
import { createRoute, z, type RouteConfig } from '@hono/zod-openapi';
import type { Context, Handler } from 'hono';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './env.ts';
import { describeAccess, PAGE_ROUTES, type Access } from '../auth/access.ts';
import { guard, type GuardOptions } from '../auth/guard.ts';
import { ErrorBody } from './problem.ts';
import { validationProblem } from './validation.ts';

const STANDARD_ERRORS = {
  401: { description: 'Not signed in', content: { 'application/json': { schema: ErrorBody } } },
  403: { description: 'Not allowed', content: { 'application/json': { schema: ErrorBody } } },
  422: { description: 'Invalid input', content: { 'application/json': { schema: ErrorBody } } },
} as const;

/** The htmx face of a response, for a route's `content` beside its JSON schema. */
export const HTML_FRAGMENT = { 'text/html': { schema: z.string() } } as const;

/** `createRoute` plus the guard, the access in the document and the standard error responses. */
export function secureRoute<const R extends RouteConfig>(access: Access, config: R, opts: GuardOptions = {}) {
  const responses = access.kind === 'public' ? config.responses : { ...STANDARD_ERRORS, ...config.responses };
  return createRoute({
    ...config,
    responses,
    middleware: [guard(access, opts), ...((config.middleware as never[]) ?? [])],
    'x-halite-permission': describeAccess(access),
  } as R & { 'x-halite-permission': string });
}

/** Registers a GET page with its access. */
export function pageRoute(
  router: OpenAPIHono<AppEnv>,
  path: string,
  access: Access,
  handler: Handler<AppEnv>,
  opts: GuardOptions = {},
): void {
  if (!PAGE_ROUTES.some((p) => p.path === path)) PAGE_ROUTES.push({ method: 'GET', path, access });
  router.get(path, guard(access, opts), handler);
}

/** A request body accepted as JSON or as a form, validated by the same schema. */
export function jsonOrForm<S extends z.ZodType>(schema: S, description = 'JSON or a form') {
  return {
    description,
    content: {
      'application/json': { schema },
      'application/x-www-form-urlencoded': { schema },
    },
  };
}

/**
 * The validated body of a `jsonOrForm` route, or a 422 Response when no body was sent.
 * (The validator checks whichever content type arrived; with none, both are empty.)
 */
export function validBody<T>(c: Context, valid: { json: T; form: T }): T | Promise<Response> {
  const type = c.req.header('Content-Type') ?? '';
  if (type.startsWith('application/json')) return valid.json;
  if (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data')) return valid.form;
  return validationProblem(c, [{ field: '(body)', message: 'send JSON (application/json) or a form' }]);
}
