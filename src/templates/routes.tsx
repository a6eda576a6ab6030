/**
 * @module
 * Template routes: `GET/POST /api/templates`, `GET/PATCH/DELETE /api/templates/{id}`, and the
 * `/templates` page. Everyone with `view` on `template:*` sees their own and the shared ones; only
 * the owner edits (including `is_shared`) or deletes. Writes are audited.
 */
import type { Context } from 'hono';
import { z } from '@hono/zod-openapi';
import { createRouter } from '../http/router.ts';
import { jsonOrForm, pageRoute, secureRoute, validBody } from '../http/route.ts';
import { perm } from '../auth/access.ts';
import { respond } from '../http/respond.ts';
import { problem } from '../http/problem.ts';
import { renderPage } from '../http/page.ts';
import { addNavEntry } from '../http/nav.ts';
import type { AppEnv } from '../http/env.ts';
import { audit } from '../audit/service.ts';
import { Template, TemplateCreate, TemplateIdParam, TemplateList, TemplateUpdate } from './schemas.ts';
import { createTemplate, deleteTemplate, getTemplate, listTemplates, updateTemplate, type WriteResult } from './service.ts';
import { TemplateDeleted, TemplateListView, TemplateRow, TemplateSaved } from '../../views/templates/templates.tsx';

addNavEntry({ key: 'templates', label: 'Templates', href: '/templates', verb: 'view', resource: 'template:*', section: 'fleet' });

const both = (schema: z.ZodType, description: string) => ({
  description,
  content: { 'application/json': { schema }, 'text/html': { schema: z.string() } },
});

const list = secureRoute(perm('view', 'template:*'), {
  method: 'get',
  path: '/api/templates',
  tags: ['templates'],
  summary: 'Your templates and the shared ones, by name',
  responses: { 200: both(TemplateList, 'Templates') },
});

const create = secureRoute(perm('create', 'template:*'), {
  method: 'post',
  path: '/api/templates',
  tags: ['templates'],
  summary: 'Save a command as a template (private unless is_shared); names are unique per owner',
  request: { body: jsonOrForm(TemplateCreate) },
  responses: { 201: both(Template, 'Saved'), 409: { description: 'You already have a template with that name' } },
});

const one = secureRoute(perm('view', 'template:{id}'), {
  method: 'get',
  path: '/api/templates/{id}',
  tags: ['templates'],
  summary: 'One template (yours or a shared one)',
  request: { params: TemplateIdParam },
  responses: { 200: both(Template, 'The template'), 404: { description: 'No such template visible to you' } },
});

const update = secureRoute(perm('edit', 'template:{id}'), {
  method: 'patch',
  path: '/api/templates/{id}',
  tags: ['templates'],
  summary: 'Change your own template, including is_shared',
  request: { params: TemplateIdParam, body: jsonOrForm(TemplateUpdate) },
  responses: {
    200: both(Template, 'Changed'),
    404: { description: 'No such template visible to you' },
    409: { description: 'You already have a template with that name' },
  },
});

const remove = secureRoute(perm('delete', 'template:{id}'), {
  method: 'delete',
  path: '/api/templates/{id}',
  tags: ['templates'],
  summary: 'Delete your own template',
  request: { params: TemplateIdParam },
  responses: { 200: both(Template, 'Deleted (the template as it was)'), 404: { description: 'No such template visible to you' } },
});

function now(c: Context<AppEnv>): Date {
  return c.var.deps.now?.() ?? new Date();
}

/** A refused write in either face: 422/409 with the field, 403 and 404 as such. */
function refused(c: Context<AppEnv>, r: Extract<WriteResult, { ok: false }>): Promise<Response> {
  if (r.status === 404) return problem(c, 404, { error: 'not_found', message: r.problem.message });
  if (r.status === 403) return problem(c, 403, { error: 'forbidden', message: r.problem.message });
  const error = r.status === 409 ? 'conflict' : 'validation_failed';
  return problem(c, r.status, { error, message: `Invalid input — ${r.problem.field}: ${r.problem.message}`, fields: [r.problem] });
}

export const templateRoutes = createRouter();

templateRoutes.openapi(list, async (c) => {
  const data = await listTemplates(c.var.deps.db, c.var.auth.user!.id);
  return respond(c, { schema: TemplateList, data, view: (l) => TemplateListView({ list: l }), title: 'Templates', active: 'templates' });
});

templateRoutes.openapi(create, async (c) => {
  const body = validBody(c, { json: c.req.valid('json'), form: c.req.valid('form') });
  if (body instanceof Promise) return body;
  const r = await createTemplate(c.var.deps.db, c.var.auth.user!.id, body, now(c));
  const payload = { name: body.name, fun: body.fun, target: body.target, is_shared: body.is_shared ?? false };
  if (!r.ok) {
    await audit(c, { action: 'template.create', resource: `template:${body.name}`, decision: 'error', payload, detail: r.problem.message });
    return refused(c, r);
  }
  await audit(c, { action: 'template.create', resource: `template:${r.template.id}`, decision: 'ok', payload });
  return respond(c, { schema: Template, data: r.template, status: 201, view: (t) => TemplateSaved({ t }), title: 'Template saved', active: 'templates' });
});

templateRoutes.openapi(one, async (c) => {
  const { id } = c.req.valid('param');
  const t = await getTemplate(c.var.deps.db, c.var.auth.user!.id, id);
  if (!t) return problem(c, 404, { error: 'not_found', message: `no template ${id}` });
  return respond(c, { schema: Template, data: t, view: (x) => TemplateRow({ t: x }), title: t.name, active: 'templates' });
});

templateRoutes.openapi(update, async (c) => {
  const { id } = c.req.valid('param');
  const body = validBody(c, { json: c.req.valid('json'), form: c.req.valid('form') });
  if (body instanceof Promise) return body;
  const r = await updateTemplate(c.var.deps.db, c.var.auth.user!.id, id, body, now(c));
  if (!r.ok) {
    await audit(c, { action: 'template.update', resource: `template:${id}`, decision: 'error', payload: body, detail: r.problem.message });
    return refused(c, r);
  }
  await audit(c, { action: 'template.update', resource: `template:${id}`, decision: 'ok', payload: body });
  return respond(c, { schema: Template, data: r.template, view: (t) => TemplateRow({ t }), title: r.template.name, active: 'templates' });
});

templateRoutes.openapi(remove, async (c) => {
  const { id } = c.req.valid('param');
  const r = await deleteTemplate(c.var.deps.db, c.var.auth.user!.id, id);
  if (!r.ok) {
    await audit(c, { action: 'template.delete', resource: `template:${id}`, decision: 'error', detail: r.problem.message });
    return refused(c, r);
  }
  await audit(c, { action: 'template.delete', resource: `template:${id}`, decision: 'ok', payload: { name: r.template.name } });
  return respond(c, { schema: Template, data: r.template, view: (t) => TemplateDeleted({ t }), title: 'Template deleted', active: 'templates' });
});

pageRoute(templateRoutes, '/templates', perm('view', 'template:*'), async (c) => {
  const data = await listTemplates(c.var.deps.db, c.var.auth.user!.id);
  return c.html(await renderPage(c, { title: 'Templates', content: TemplateListView({ list: data }), active: 'templates' }));
});
