/**
 * @module
 * How a route declares who may call it. Every route states one `Access`; the RBAC matrix test
 * fails for a route that states none. OpenAPI routes carry it in the document as
 * `x-halite-permission`; page routes are registered in `PAGE_ROUTES`.
 */
import type { Context } from 'hono';

export type Access =
  /** Anyone, signed in or not (sign-in, health, static files). */
  | { kind: 'public' }
  /** Any signed-in user. */
  | { kind: 'signed_in' }
  /** A signed-in user granted `verb` on the resource (`resource` may depend on the request). */
  | { kind: 'perm'; verb: string; resource: string; resolve?: (c: Context) => string };

export const PUBLIC: Access = { kind: 'public' };
export const SIGNED_IN: Access = { kind: 'signed_in' };

/**
 * A permission requirement. `resource` is documented as written (`key:{id}`); path parameters in
 * braces are filled in from the request when checked.
 */
export function perm(verb: string, resource: string): Access {
  const params = [...resource.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  if (params.length === 0) return { kind: 'perm', verb, resource };
  return {
    kind: 'perm',
    verb,
    resource,
    resolve: (c) => resource.replace(/\{(\w+)\}/g, (_, name: string) => c.req.param(name) ?? ''),
  };
}

/** The access as one string, as it appears in openapi.json and the matrix test. */
export function describeAccess(a: Access): string {
  if (a.kind === 'public') return 'public';
  if (a.kind === 'signed_in') return 'signed_in';
  return `${a.verb}:${a.resource}`;
}

export interface PageRoute {
  method: 'GET';
  path: string;
  access: Access;
}

/** Every HTML page route (the OpenAPI document lists the API routes). */
export const PAGE_ROUTES: PageRoute[] = [];
