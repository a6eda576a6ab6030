/**
 * @module
 * Roles: the API (`/api/roles`) and the Roles page. Permission `manage_role:role:*`.
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
import { audit } from '../audit/service.ts';
import { IdParam, RoleCreate, RolePermissionsSet, RolePublic, RolesPublic } from '../users/schemas.ts';
import { RoleCreateForm, RoleRow, RolesTable } from '../../views/roles/roles.tsx';
import { createRole, deleteRole, getRole, listRoles, RoleError, setRolePermissions } from './service.ts';

const MANAGE = perm('manage_role', 'role:*');

addNavEntry({ key: 'roles', label: 'Roles', href: '/roles', verb: 'manage_role', resource: 'role:*', section: 'admin' });

function roleProblem(c: Context, e: RoleError): Promise<Response> {
  if (e.code === 'not_found') return problem(c, 404, { error: 'not_found', message: e.message });
  if (e.code === 'conflict') return problem(c, 409, { error: 'conflict', message: e.message, fields: [{ field: 'name', message: e.message }] });
  return problem(c, 409, { error: 'builtin_role', message: e.message });
}

const list = secureRoute(MANAGE, {
  method: 'get',
  path: '/api/roles',
  tags: ['roles'],
  summary: 'All roles with their permissions',
  responses: { 200: { description: 'Roles', content: { 'application/json': { schema: RolesPublic }, ...HTML_FRAGMENT } } },
});
const create = secureRoute(MANAGE, {
  method: 'post',
  path: '/api/roles',
  tags: ['roles'],
  summary: 'Create a custom role',
  request: { body: jsonOrForm(RoleCreate) },
  responses: {
    201: { description: 'Created', content: { 'application/json': { schema: RolePublic }, ...HTML_FRAGMENT } },
    409: { description: 'The name is taken' },
  },
});
const one = secureRoute(MANAGE, {
  method: 'get',
  path: '/api/roles/{id}',
  tags: ['roles'],
  summary: 'One role',
  request: { params: IdParam },
  responses: {
    200: { description: 'The role', content: { 'application/json': { schema: RolePublic }, ...HTML_FRAGMENT } },
    404: { description: 'No such role' },
  },
});
const setPerms = secureRoute(MANAGE, {
  method: 'post',
  path: '/api/roles/{id}/permissions',
  tags: ['roles'],
  summary: "Replace a custom role's permissions (built-in roles are fixed)",
  request: { params: IdParam, body: jsonOrForm(RolePermissionsSet) },
  responses: {
    200: { description: 'Updated', content: { 'application/json': { schema: RolePublic }, ...HTML_FRAGMENT } },
    404: { description: 'No such role' },
    409: { description: 'A built-in role' },
  },
});
const remove = secureRoute(MANAGE, {
  method: 'delete',
  path: '/api/roles/{id}',
  tags: ['roles'],
  summary: 'Delete a custom role',
  request: { params: IdParam },
  responses: {
    200: { description: 'Deleted', content: { 'application/json': { schema: RolePublic }, ...HTML_FRAGMENT } },
    404: { description: 'No such role' },
    409: { description: 'A built-in role' },
  },
});

export const roleRoutes = createRouter();

roleRoutes.openapi(list, async (c) => {
  const roles = await listRoles(c.var.deps.db);
  return respond(c, { schema: RolesPublic, data: { data: roles, count: roles.length }, title: 'Roles', active: 'roles', view: (d) => RolesTable({ roles: d }) });
});

roleRoutes.openapi(
  create,
  async (c) => {
    const body = validBody(c, { json: c.req.valid('json'), form: c.req.valid('form') });
    if (body instanceof Promise) return body;
    try {
      const role = await createRole(c.var.deps.db, c.var.permissionCache, body);
      await audit(c, { action: 'create_role', resource: `role:${role.name}`, decision: 'ok', payload: body });
      return respond(c, { schema: RolePublic, data: role, status: 201, title: 'Roles', view: (r) => RoleCreateForm({ created: r.name }) });
    } catch (e) {
      if (!(e instanceof RoleError)) throw e;
      await audit(c, { action: 'create_role', resource: `role:${body.name}`, decision: 'error', payload: body, detail: e.message });
      if (faceOf(c) === 'fragment') return c.html(RoleCreateForm({ values: { name: body.name, description: body.description }, errors: { name: e.message } }), 409);
      return roleProblem(c, e);
    }
  },
  formHook((c, errors) => RoleCreateForm({ errors })),
);

roleRoutes.openapi(one, async (c) => {
  const role = await getRole(c.var.deps.db, c.req.valid('param').id);
  if (!role) return problem(c, 404, { error: 'not_found', message: 'No such role' });
  return respond(c, { schema: RolePublic, data: role, title: `Role ${role.name}`, active: 'roles', view: (r) => RolesTable({ roles: { data: [r], count: 1 } }) });
});

roleRoutes.openapi(setPerms, async (c) => {
  const { id } = c.req.valid('param');
  const body = validBody(c, { json: c.req.valid('json'), form: c.req.valid('form') });
  if (body instanceof Promise) return body;
  try {
    const role = await setRolePermissions(c.var.deps.db, c.var.permissionCache, id, body.permissions);
    await audit(c, { action: 'set_role_permissions', resource: `role:${role.name}`, decision: 'ok', payload: body });
    return respond(c, { schema: RolePublic, data: role, title: 'Roles', view: (r) => RoleRow({ role: r }) });
  } catch (e) {
    if (!(e instanceof RoleError)) throw e;
    await audit(c, { action: 'set_role_permissions', resource: `role:${id}`, decision: 'error', payload: body, detail: e.message });
    return roleProblem(c, e);
  }
});

roleRoutes.openapi(remove, async (c) => {
  const { id } = c.req.valid('param');
  try {
    const role = await deleteRole(c.var.deps.db, c.var.permissionCache, id);
    await audit(c, { action: 'delete_role', resource: `role:${role.name}`, decision: 'ok' });
    // The row disappears from the page.
    if (faceOf(c) === 'fragment') return c.html('', 200);
    return c.json(role, 200);
  } catch (e) {
    if (!(e instanceof RoleError)) throw e;
    await audit(c, { action: 'delete_role', resource: `role:${id}`, decision: 'error', detail: e.message });
    return roleProblem(c, e);
  }
});

pageRoute(roleRoutes, '/roles', MANAGE, async (c) => {
  const roles = await listRoles(c.var.deps.db);
  const content = (
    <>
      <RolesTable roles={{ data: roles, count: roles.length }} />
      <RoleCreateForm />
    </>
  );
  return c.html(await renderPage(c, { title: 'Roles', active: 'roles', content }));
});
