/**
 * @module
 * Request-wide auth middleware: the session from the cookie (with the user's permissions, cached
 * per session), and the CSRF check on state-changing requests.
 */
import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { AppEnv } from '../http/env.ts';
import { problem } from '../http/problem.ts';
import { permissionsOfUser } from '../rbac/service.ts';
import { ANONYMOUS } from './context.ts';
import { SESSION_COOKIE, validateSession } from './session.ts';

/** Fills `c.var.auth` from the session cookie; anonymous when absent or invalid. */
export function sessionMiddleware(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = getCookie(c, SESSION_COOKIE);
    if (!token || c.req.path.startsWith('/static/')) {
      c.set('auth', ANONYMOUS);
      return next();
    }
    const { db, now } = c.var.deps;
    const session = await validateSession(db, token, now?.() ?? new Date());
    if (!session) {
      c.set('auth', ANONYMOUS);
      return next();
    }
    const cache = c.var.permissionCache;
    let permissions = cache.get(session.id);
    if (!permissions) {
      permissions = await permissionsOfUser(db, session.user.id);
      cache.set(session.id, permissions);
    }
    c.set('auth', { user: session.user, session: { id: session.id, csrfToken: session.csrfToken }, permissions });
    return next();
  };
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * CSRF: a state-changing request must come from our own origin (Origin, or Referer when Origin is
 * absent, must match the Host), and when it carries a session it must also present that session's
 * anti-forgery token, as the `X-CSRF-Token` header (htmx sends it from the layout) or the `_csrf`
 * form field. SameSite=Lax alone leaves same-site subdomains and old browsers open.
 */
export function csrfMiddleware(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!UNSAFE.has(c.req.method)) return next();
    const expectedHost = c.req.header('Host') ?? new URL(c.req.url).host;
    const source = c.req.header('Origin') ?? c.req.header('Referer');
    if (source && source !== 'null') {
      let host = '';
      try {
        host = new URL(source).host;
      } catch {}
      if (host !== expectedHost) {
        return problem(c, 403, { error: 'csrf_origin', message: 'Cross-site request refused: the Origin does not match this site.' });
      }
    } else if (source === 'null') {
      return problem(c, 403, { error: 'csrf_origin', message: 'Cross-site request refused: opaque Origin.' });
    }
    const session = c.var.auth.session;
    if (!session) return next();
    let presented = c.req.header('X-CSRF-Token');
    if (!presented) {
      const type = c.req.header('Content-Type') ?? '';
      if (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data')) {
        const form = await c.req.parseBody();
        presented = typeof form._csrf === 'string' ? form._csrf : undefined;
      }
    }
    if (!presented || !timingSafeEqual(presented, session.csrfToken)) {
      return problem(c, 403, {
        error: 'csrf_token',
        message: 'The anti-forgery token is missing or wrong: reload the page and try again.',
      });
    }
    return next();
  };
}

function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
