/**
 * @module
 * `guard(access)`: the per-route check. Anonymous requests get 401 (API) or a redirect to sign-in
 * (pages); a user who must change the bootstrap password gets 403 or the change page; a missing
 * permission gets 403 (JSON) or an inline message (htmx). Every permission decision is audited.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../http/env.ts';
import { faceOf } from '../http/negotiate.ts';
import { problem } from '../http/problem.ts';
import { permits } from '../rbac/glob.ts';
import { audit } from '../audit/service.ts';
import type { Access } from './access.ts';

export interface GuardOptions {
  /** The password change, logout and `me` stay reachable while the bootstrap password is unchanged. */
  allowMustChangePw?: boolean;
}

function isApi(c: Context): boolean {
  return c.req.path.startsWith('/api/');
}

export function guard(access: Access, opts: GuardOptions = {}): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (access.kind === 'public') return next();
    const { user, permissions } = c.var.auth;
    if (!user) {
      if (isApi(c) || faceOf(c) === 'fragment') {
        // An htmx request from a page whose session ended: send the whole browser to sign-in.
        if (faceOf(c) === 'fragment') c.header('HX-Redirect', `/login?next=${encodeURIComponent(currentPage(c))}`);
        return problem(c, 401, { error: 'unauthenticated', message: 'Sign in first.' });
      }
      return c.redirect(`/login?next=${encodeURIComponent(c.req.path + new URL(c.req.url).search)}`, 302);
    }
    if (user.mustChangePw && !opts.allowMustChangePw) {
      if (isApi(c) || faceOf(c) === 'fragment') {
        return problem(c, 403, {
          error: 'password_change_required',
          message: 'Change the initial password first (POST /api/auth/password).',
        });
      }
      return c.redirect('/account/password', 302);
    }
    if (access.kind === 'signed_in') return next();
    const resource = access.resolve ? access.resolve(c) : access.resource;
    const allowed = permits(permissions, access.verb, resource);
    await audit(c, { action: access.verb, resource, decision: allowed ? 'allow' : 'deny', detail: `${c.req.method} ${c.req.path}` });
    if (allowed) return next();
    return problem(c, 403, {
      error: 'forbidden',
      message: `You do not have the permission ${access.verb} on ${resource}. Ask an administrator for a role that grants it.`,
    });
  };
}

function currentPage(c: Context): string {
  const url = c.req.header('HX-Current-URL');
  if (!url) return '/';
  try {
    const u = new URL(url);
    return u.pathname + u.search;
  } catch {
    return '/';
  }
}
