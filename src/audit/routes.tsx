/**
 * @module
 * The audit log: `GET /api/audit` and the Audit page. Permission `view:audit:*` (admin only).
 */
import { z } from '@hono/zod-openapi';
import { createRouter } from '../http/router.ts';
import { pageRoute, secureRoute } from '../http/route.ts';
import { perm } from '../auth/access.ts';
import { respond } from '../http/respond.ts';
import { renderPage } from '../http/page.ts';
import { addNavEntry } from '../http/nav.ts';
import { AuditFilterForm, AuditResults, type AuditFilters } from '../../views/audit/audit.tsx';
import { AuditPage, AuditQuery } from './schemas.ts';
import { listAudit } from './service.ts';
import { validationProblem, fieldErrors } from '../http/validation.ts';

const VIEW = perm('view', 'audit:*');

addNavEntry({ key: 'audit', label: 'Audit', href: '/audit', verb: 'view', resource: 'audit:*', section: 'admin' });

const list = secureRoute(VIEW, {
  method: 'get',
  path: '/api/audit',
  tags: ['audit'],
  summary: 'Audit log entries, newest first (limit ≤ 500)',
  request: { query: AuditQuery },
  responses: { 200: { description: 'Entries', content: { 'application/json': { schema: AuditPage }, 'text/html': { schema: z.string() } } } },
});

function filtersOf(raw: Record<string, string>, limit: number): AuditFilters {
  return { user_id: raw.user_id, action: raw.action, decision: raw.decision, since: raw.since, until: raw.until, limit };
}

export const auditRoutes = createRouter();

auditRoutes.openapi(list, async (c) => {
  const q = c.req.valid('query');
  const page = await listAudit(c.var.deps.db, q);
  const filters = filtersOf(c.req.query(), q.limit);
  return respond(c, { schema: AuditPage, data: page, title: 'Audit log', active: 'audit', view: (p) => AuditResults({ page: p, filters }) });
});

pageRoute(auditRoutes, '/audit', VIEW, async (c) => {
  const parsed = AuditQuery.safeParse(c.req.query());
  if (!parsed.success) return validationProblem(c, fieldErrors(parsed.error));
  const page = await listAudit(c.var.deps.db, parsed.data);
  const filters = filtersOf(c.req.query(), parsed.data.limit);
  const content = (
    <>
      <AuditFilterForm filters={filters} />
      <AuditResults page={page} filters={filters} />
    </>
  );
  return c.html(await renderPage(c, { title: 'Audit log', active: 'audit', content }));
});
