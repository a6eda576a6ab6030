/**
 * @module
 * Sign-in, sign-out, who am I, and the password change — API routes and their pages.
 */
import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { createRouter } from '../http/router.ts';
import { jsonOrForm, pageRoute, secureRoute, validBody } from '../http/route.ts';
import { PUBLIC, SIGNED_IN } from './access.ts';
import { faceOf, setVary } from '../http/negotiate.ts';
import { problem } from '../http/problem.ts';
import { renderPage } from '../http/page.ts';
import { formHook } from '../http/validation.ts';
import type { AppEnv } from '../http/env.ts';
import { audit, clientAddr } from '../audit/service.ts';
import { LoginForm, PasswordForm } from '../../views/auth/login.tsx';
import { LoginBody, Me, Ok, PasswordBody } from './schemas.ts';
import { changePassword, describeMe, signIn } from './service.ts';
import { SESSION_COOKIE, SESSION_LIFETIME_MS, deleteSession } from './session.ts';

/** Only same-site paths: `next=//evil.example` or `next=https://…` would be an open redirect. */
export function safeNext(next: string | undefined): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}

function cookieSecure(c: Context<AppEnv>): boolean {
  return c.var.settings.cookieSecure ?? new URL(c.req.url).protocol === 'https:';
}

/** After a form post: htmx follows HX-Redirect, a plain form follows 303. */
function redirectAfterPost(c: Context, to: string): Response {
  if (faceOf(c) === 'fragment') {
    c.header('HX-Redirect', to);
    return c.body(null, 204);
  }
  return c.redirect(to, 303);
}

function isFormPost(c: Context): boolean {
  return (c.req.header('Content-Type') ?? '').startsWith('application/x-www-form-urlencoded');
}

const login = secureRoute(PUBLIC, {
  method: 'post',
  path: '/api/auth/login',
  tags: ['auth'],
  summary: 'Sign in; sets the halite_session cookie',
  request: { body: jsonOrForm(LoginBody) },
  responses: {
    200: { description: 'Signed in', content: { 'application/json': { schema: Me } } },
    303: { description: 'Signed in (form post): redirect to `next`' },
    401: { description: 'Wrong username or password', content: { 'application/json': { schema: Me } } },
    429: { description: 'Too many failed attempts; see Retry-After' },
  },
});

const logout = secureRoute(
  SIGNED_IN,
  {
    method: 'post',
    path: '/api/auth/logout',
    tags: ['auth'],
    summary: 'Sign out; ends the session',
    responses: {
      200: { description: 'Signed out', content: { 'application/json': { schema: Ok } } },
      303: { description: 'Signed out (form post): redirect to the sign-in page' },
    },
  },
  { allowMustChangePw: true },
);

const me = secureRoute(SIGNED_IN, {
  method: 'get',
  path: '/api/auth/me',
  tags: ['auth'],
  summary: 'The signed-in user, their permissions and the anti-forgery token',
  responses: { 200: { description: 'The current user', content: { 'application/json': { schema: Me } } } },
});

const password = secureRoute(
  SIGNED_IN,
  {
    method: 'post',
    path: '/api/auth/password',
    tags: ['auth'],
    summary: 'Change your own password (at least 12 characters, not the username)',
    request: { body: jsonOrForm(PasswordBody) },
    responses: {
      200: { description: 'Changed', content: { 'application/json': { schema: Ok } } },
      303: { description: 'Changed (form post): redirect home' },
    },
  },
  { allowMustChangePw: true },
);

const loginFormHook = formHook((c, errors) => LoginForm({ errors }));
const passwordFormHook = formHook((c, errors) =>
  PasswordForm({ forced: false, csrfToken: (c as Context<AppEnv>).var.auth.session?.csrfToken ?? null, errors }),
);

export const authRoutes = createRouter();

authRoutes.openapi(
  login,
  async (c) => {
    const body = validBody(c, { json: c.req.valid('json'), form: c.req.valid('form') });
    if (body instanceof Promise) return body;
    const { db, now } = c.var.deps;
    const result = await signIn(db, c.var.loginThrottle, {
      username: body.username,
      password: body.password,
      clientAddr: clientAddr(c),
      userAgent: c.req.header('User-Agent'),
      now: now?.(),
    });
    setVary(c);
    if (!result.ok) {
      await audit(c, {
        action: 'login',
        resource: `user:${body.username}`,
        decision: 'deny',
        username: body.username,
        detail: result.reason === 'throttled' ? `throttled for ${result.retryAfter}s` : 'wrong username or password',
      });
      if (result.reason === 'throttled') {
        c.header('Retry-After', String(result.retryAfter));
        return problem(c, 429, {
          error: 'too_many_attempts',
          message: `Too many failed sign-ins. Try again in ${result.retryAfter} seconds.`,
        });
      }
      const message = 'Wrong username or password.';
      if (faceOf(c) !== 'json') {
        return c.html(LoginForm({ username: body.username, next: body.next, error: message }), 401);
      }
      return problem(c, 401, { error: 'invalid_credentials', message });
    }
    setCookie(c, SESSION_COOKIE, result.session.token, {
      httpOnly: true,
      sameSite: 'Lax',
      secure: cookieSecure(c),
      path: '/',
      maxAge: SESSION_LIFETIME_MS / 1000,
    });
    await audit(c, {
      action: 'login',
      resource: `user:${result.user.username}`,
      decision: 'allow',
      userId: result.user.id,
      username: result.user.username,
    });
    if (isFormPost(c)) return redirectAfterPost(c, result.user.mustChangePw ? '/account/password' : safeNext(body.next));
    return c.json(await describeMe(db, result.user.id, result.session.csrfToken), 200);
  },
  loginFormHook,
);

authRoutes.openapi(logout, async (c) => {
  const session = c.var.auth.session!;
  await deleteSession(c.var.deps.db, session.id);
  deleteCookie(c, SESSION_COOKIE, { path: '/' });
  await audit(c, { action: 'logout', resource: `user:${c.var.auth.user!.username}`, decision: 'ok' });
  if (isFormPost(c) || faceOf(c) === 'fragment') return redirectAfterPost(c, '/login');
  return c.json({ ok: true as const }, 200);
});

authRoutes.openapi(me, (c) => {
  const { user, permissions, session } = c.var.auth;
  return c.json(
    {
      id: user!.id,
      username: user!.username,
      display_name: user!.displayName,
      must_change_pw: user!.mustChangePw,
      permissions: [...permissions],
      csrf_token: session!.csrfToken,
    },
    200,
  );
});

authRoutes.openapi(
  password,
  async (c) => {
    const body = validBody(c, { json: c.req.valid('json'), form: c.req.valid('form') });
    if (body instanceof Promise) return body;
    const { user, session } = c.var.auth;
    const result = await changePassword(c.var.deps.db, {
      userId: user!.id,
      username: user!.username,
      sessionId: session!.id,
      current: body.current_password,
      next: body.new_password,
    });
    await audit(c, {
      action: 'change_password',
      resource: `user:${user!.username}`,
      decision: result.ok ? 'ok' : 'deny',
      detail: result.ok ? null : `${result.field} ${result.message}`,
    });
    if (!result.ok) {
      if (faceOf(c) === 'fragment') {
        return c.html(
          PasswordForm({ forced: user!.mustChangePw, csrfToken: session!.csrfToken, errors: { [result.field]: result.message } }),
          422,
        );
      }
      return problem(c, 422, {
        error: 'validation_failed',
        message: `Invalid input — ${result.field}: ${result.message}`,
        fields: [{ field: result.field, message: result.message }],
      });
    }
    c.var.permissionCache.invalidate();
    if (isFormPost(c)) return redirectAfterPost(c, '/');
    return c.json({ ok: true as const }, 200);
  },
  passwordFormHook,
);

pageRoute(authRoutes, '/login', PUBLIC, async (c) => {
  if (c.var.auth.user) return c.redirect('/', 302);
  const next = safeNext(c.req.query('next'));
  return c.html(await renderPage(c, { title: 'Sign in', content: LoginForm({ next }) }));
});

pageRoute(
  authRoutes,
  '/account/password',
  SIGNED_IN,
  async (c) => {
    const { user, session } = c.var.auth;
    return c.html(
      await renderPage(c, {
        title: 'Change password',
        content: PasswordForm({ forced: user!.mustChangePw, csrfToken: session!.csrfToken }),
      }),
    );
  },
  { allowMustChangePw: true },
);
