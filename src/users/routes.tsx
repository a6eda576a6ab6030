/**
 * @module
 * Users: the API (`/api/users`) and the Users page. Permission `manage_user:user:*`.
 */
import type { Context } from 'hono';
import { createRouter } from '../http/router.ts';
import { jsonOrForm, pageRoute, secureRoute, validBody, HTML_FRAGMENT } from '../http/route.ts';
import { perm } from '../auth/access.ts';
import { respond } from '../http/respond.ts';
import { problem } from '../http/problem.ts';
import { faceOf } from '../http/negotiate.ts';
import { renderPage } from '../http/page.ts';
import { formHook } from '../http/validation.ts';
import { addNavEntry } from '../http/nav.ts';
import type { AppEnv } from '../http/env.ts';
import { audit } from '../audit/service.ts';
import { listRoles } from '../rbac/service.ts';
import { UserCreateForm, UserRow, UsersTable } from '../../views/users/users.tsx';
import { IdParam, PasswordReset, UserCreate, UserPublic, UsersPublic, UserUpdate } from './schemas.ts';
import { createUser, listUsers, resetPassword, updateUser, UserError } from './service.ts';

const MANAGE = perm('manage_user', 'user:*');

addNavEntry({ key: 'users', label: 'Users', href: '/users', verb: 'manage_user', resource: 'user:*', section: 'admin' });

const roleNames = async (c: Context<AppEnv>) => (await listRoles(c.var.deps.db)).map((r) => r.name);

/** A UserError in the face asked for. */
function userProblem(c: Context, e: UserError): Promise<Response> {
  if (e.code === 'not_found') return problem(c, 404, { error: 'not_found', message: e.message });
  if (e.code === 'conflict') return problem(c, 409, { error: 'conflict', message: e.message, fields: e.field ? [{ field: e.field, message: e.message }] : undefined });
  return problem(c, 422, {
    error: 'validation_failed',
    message: `Invalid input — ${e.field ?? '(body)'}: ${e.message}`,
    fields: [{ field: e.field ?? '(body)', message: e.message }],
  });
}

const list = secureRoute(MANAGE, {
  method: 'get',
  path: '/api/users',
  tags: ['users'],
  summary: 'All users with their roles',
  responses: { 200: { description: 'Users', content: { 'application/json': { schema: UsersPublic }, ...HTML_FRAGMENT } } },
});

const create = secureRoute(MANAGE, {
  method: 'post',
  path: '/api/users',
  tags: ['users'],
  summary: 'Create a user (must change the password at first sign-in unless must_change_pw is false)',
  request: { body: jsonOrForm(UserCreate) },
  responses: {
    201: { description: 'Created', content: { 'application/json': { schema: UserPublic }, ...HTML_FRAGMENT } },
    409: { description: 'The username is taken' },
  },
});

const update = secureRoute(MANAGE, {
  method: 'patch',
  path: '/api/users/{id}',
  tags: ['users'],
  summary: 'Enable or disable a user, change the display name or the roles',
  request: { params: IdParam, body: jsonOrForm(UserUpdate) },
  responses: {
    200: { description: 'Updated', content: { 'application/json': { schema: UserPublic }, ...HTML_FRAGMENT } },
    404: { description: 'No such user' },
  },
});

const reset = secureRoute(MANAGE, {
  method: 'post',
  path: '/api/users/{id}/password',
  tags: ['users'],
  summary: "Reset a user's password; ends their sessions and asks for a change at next sign-in",
  request: { params: IdParam, body: jsonOrForm(PasswordReset) },
  responses: {
    200: { description: 'Reset', content: { 'application/json': { schema: UserPublic }, ...HTML_FRAGMENT } },
    404: { description: 'No such user' },
  },
});

export const userRoutes = createRouter();

userRoutes.openapi(list, async (c) => {
  const users = await listUsers(c.var.deps.db);
  const roles = await roleNames(c);
  return respond(c, {
    schema: UsersPublic,
    data: { data: users, count: users.length },
    title: 'Users',
    active: 'users',
    view: (d) => UsersTable({ users: d, roles }),
  });
});

userRoutes.openapi(
  create,
  async (c) => {
    const body = validBody(c, { json: c.req.valid('json'), form: c.req.valid('form') });
    if (body instanceof Promise) return body;
    const { db } = c.var.deps;
    try {
      const user = await createUser(db, c.var.permissionCache, body);
      await audit(c, { action: 'create_user', resource: `user:${user.username}`, decision: 'ok', payload: body });
      const roles = await roleNames(c);
      return respond(c, {
        schema: UserPublic,
        data: user,
        status: 201,
        title: 'Users',
        view: (u) => UserCreateForm({ roles, created: u.username }),
      });
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      await audit(c, { action: 'create_user', resource: `user:${body.username}`, decision: 'error', payload: body, detail: e.message });
      if (faceOf(c) === 'fragment') {
        const roles = await roleNames(c);
        const status = e.code === 'conflict' ? 409 : 422;
        return c.html(UserCreateForm({ roles, values: body, errors: e.field ? { [e.field]: e.message } : undefined, error: e.field ? null : e.message }), status);
      }
      return userProblem(c, e);
    }
  },
  formHook(async (c, errors) => UserCreateForm({ roles: await roleNames(c as Context<AppEnv>), errors })),
);

userRoutes.openapi(update, async (c) => {
  const { id } = c.req.valid('param');
  const body = validBody(c, { json: c.req.valid('json'), form: c.req.valid('form') });
  if (body instanceof Promise) return body;
  try {
    const user = await updateUser(c.var.deps.db, c.var.permissionCache, id, body);
    await audit(c, { action: 'update_user', resource: `user:${user.username}`, decision: 'ok', payload: body });
    const roles = await roleNames(c);
    return respond(c, { schema: UserPublic, data: user, title: 'Users', view: (u) => UserRow({ user: u, roles }) });
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    await audit(c, { action: 'update_user', resource: `user:${id}`, decision: 'error', payload: body, detail: e.message });
    return userProblem(c, e);
  }
});

userRoutes.openapi(reset, async (c) => {
  const { id } = c.req.valid('param');
  const body = validBody(c, { json: c.req.valid('json'), form: c.req.valid('form') });
  if (body instanceof Promise) return body;
  try {
    const user = await resetPassword(c.var.deps.db, id, body.password);
    await audit(c, { action: 'reset_password', resource: `user:${user.username}`, decision: 'ok' });
    const roles = await roleNames(c);
    return respond(c, { schema: UserPublic, data: user, title: 'Users', view: (u) => UserRow({ user: u, roles }) });
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    await audit(c, { action: 'reset_password', resource: `user:${id}`, decision: 'error', detail: e.message });
    return userProblem(c, e);
  }
});

pageRoute(userRoutes, '/users', MANAGE, async (c) => {
  const users = await listUsers(c.var.deps.db);
  const roles = await roleNames(c);
  const content = (
    <>
      <UsersTable users={{ data: users, count: users.length }} roles={roles} />
      <UserCreateForm roles={roles} />
    </>
  );
  return c.html(await renderPage(c, { title: 'Users', active: 'users', content }));
});
