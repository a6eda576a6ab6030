/**
 * @module
 * The minion list and detail: `GET /api/minions` (filters, sort, pagination, CSV/JSON export),
 * `GET /api/minions/{id}`, and the pages `/minions` and `/minions/:id`. Reads only the snapshot.
 */
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { createRouter } from '../http/router.ts';
import { pageRoute, secureRoute } from '../http/route.ts';
import { perm } from '../auth/access.ts';
import { respond } from '../http/respond.ts';
import { renderPage } from '../http/page.ts';
import { ErrorBody, problem } from '../http/problem.ts';
import { faceOf } from '../http/negotiate.ts';
import { fieldErrors, validationProblem } from '../http/validation.ts';
import { addNavEntry } from '../http/nav.ts';
import type { AppEnv } from '../http/env.ts';
import { MinionDetail, MinionIdParam, MinionPage, MinionQuery } from './schemas.ts';
import { exportMinions, getMinion, listMinions, minionFacets, minionsCsv } from './service.ts';
import { MinionResults } from '../../views/minions/results.tsx';
import { MinionListPage } from '../../views/minions/list.tsx';
import { MinionDetailView } from '../../views/minions/detail.tsx';
import { hrefWith, paramsOf } from '../../views/minions/query.ts';

/** Today there is one master; services take it as a parameter for the several-masters future. */
const MASTER = 'default';

addNavEntry({ key: 'minions', label: 'Minions', href: '/minions', verb: 'view', resource: 'minion:*', section: 'fleet' });

const now = (c: Context<AppEnv>) => c.var.deps.now?.() ?? new Date();

const list = secureRoute(perm('view', 'minion:*'), {
  method: 'get',
  path: '/api/minions',
  tags: ['minions'],
  summary: 'The minion snapshot: filtered, sorted, paginated (limit ≤ 500); `format=csv|json` downloads every match',
  request: { query: MinionQuery },
  responses: {
    200: {
      description: 'A page of minions and the age of the snapshot',
      content: {
        'application/json': { schema: MinionPage },
        'text/html': { schema: z.string() },
        'text/csv': { schema: z.string().openapi({ description: 'With format=csv' }) },
      },
    },
  },
});

const detail = secureRoute(perm('view', 'minion:{id}'), {
  method: 'get',
  path: '/api/minions/{id}',
  tags: ['minions'],
  summary: 'One minion with all its grains and its recent jobs',
  request: { params: MinionIdParam },
  responses: {
    200: { description: 'The minion', content: { 'application/json': { schema: MinionDetail }, 'text/html': { schema: z.string() } } },
    404: { description: 'No such minion in the snapshot', content: { 'application/json': { schema: ErrorBody } } },
  },
});

export const minionRoutes = createRouter();

minionRoutes.openapi(list, async (c) => {
  const q = c.req.valid('query');
  const { db } = c.var.deps;
  if (q.format) {
    const rows = await exportMinions(db, MASTER, q, now(c));
    const name = `minions-${now(c).toISOString().slice(0, 19).replace(/[:T]/g, '-')}.${q.format}`;
    c.header('Content-Disposition', `attachment; filename="${name}"`);
    if (q.format === 'csv') return c.body(minionsCsv(rows), 200, { 'Content-Type': 'text/csv; charset=utf-8' });
    return c.json(rows, 200);
  }
  const page = await listMinions(db, MASTER, q, now(c));
  // Search as you type: the address bar follows the filters, so the view can be bookmarked.
  if (faceOf(c) === 'fragment') c.header('HX-Push-Url', hrefWith('/minions', paramsOf(q)));
  return respond(c, { schema: MinionPage, data: page, view: (p) => MinionResults({ page: p, query: q }), title: 'Minions', active: 'minions' });
});

minionRoutes.openapi(detail, async (c) => {
  const { id } = c.req.valid('param');
  const minion = await getMinion(c.var.deps.db, MASTER, id, now(c));
  if (!minion) return problem(c, 404, { error: 'not_found', message: `No minion ${id} in the snapshot.` });
  return respond(c, { schema: MinionDetail, data: minion, view: (m) => MinionDetailView({ minion: m }), title: `Minion ${id}`, active: 'minions' });
});

pageRoute(minionRoutes, '/minions', perm('view', 'minion:*'), async (c) => {
  const parsed = MinionQuery.safeParse(c.req.query());
  if (!parsed.success) return validationProblem(c, fieldErrors(parsed.error));
  const { db } = c.var.deps;
  const [page, facets] = await Promise.all([listMinions(db, MASTER, parsed.data, now(c)), minionFacets(db, MASTER)]);
  const content = MinionListPage({ page, query: parsed.data, facets });
  return c.html(await renderPage(c, { title: 'Minions', content, active: 'minions' }));
});

pageRoute(minionRoutes, '/minions/:id', perm('view', 'minion:{id}'), async (c) => {
  const id = c.req.param('id')!;
  const minion = await getMinion(c.var.deps.db, MASTER, id, now(c));
  if (!minion) return problem(c, 404, { error: 'not_found', message: `No minion ${id} in the snapshot.` });
  return c.html(await renderPage(c, { title: `Minion ${id}`, content: MinionDetailView({ minion }), active: 'minions' }));
});
