/**
 * @module
 * Fleet compliance: `GET /api/fleet/health` (counts by health status, filtered per-minion rows,
 * the state ids failing on the most minions, the 30-day trend) and the Fleet page. Reads only the
 * database; the fleet poller keeps it current.
 */
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { createRouter } from '../http/router.ts';
import { pageRoute, secureRoute } from '../http/route.ts';
import { perm } from '../auth/access.ts';
import { respond } from '../http/respond.ts';
import { renderPage } from '../http/page.ts';
import { faceOf } from '../http/negotiate.ts';
import { fieldErrors, validationProblem } from '../http/validation.ts';
import { addNavEntry } from '../http/nav.ts';
import type { AppEnv } from '../http/env.ts';
import { FleetHealth, FleetQuery } from './schemas.ts';
import { fleetHealthReport, staleAfterMs } from './service.ts';
import { FleetPage, FleetResults, fleetHref } from '../../views/fleet/fleet.tsx';

/** Today there is one master; services take it as a parameter for the several-masters future. */
const MASTER = 'default';
const ACCESS = perm('view', 'fleet:*');

addNavEntry({ key: 'fleet', label: 'Fleet', href: '/fleet', verb: 'view', resource: 'fleet:*', section: 'fleet' });

const now = (c: Context<AppEnv>) => c.var.deps.now?.() ?? new Date();

const health = secureRoute(ACCESS, {
  method: 'get',
  path: '/api/fleet/health',
  tags: ['fleet'],
  summary: 'Fleet health from the latest state runs: counts, per-minion rows (filter by status, minion, failing state; limit ≤ 500), the most failing state ids, a 30-day trend',
  request: { query: FleetQuery },
  responses: { 200: { description: 'The fleet health', content: { 'application/json': { schema: FleetHealth }, 'text/html': { schema: z.string() } } } },
});

export const fleetRoutes = createRouter();

fleetRoutes.openapi(health, async (c) => {
  const q = c.req.valid('query');
  const { db } = c.var.deps;
  const report = await fleetHealthReport(db, MASTER, q, now(c), await staleAfterMs(db));
  if (faceOf(c) === 'fragment') c.header('HX-Push-Url', fleetHref('/fleet', { status: q.status, q: q.q, state: q.state, offset: q.offset ? String(q.offset) : undefined }));
  return respond(c, { schema: FleetHealth, data: report, view: (r) => FleetResults({ report: r, query: q }), title: 'Fleet', active: 'fleet' });
});

pageRoute(fleetRoutes, '/fleet', ACCESS, async (c) => {
  const parsed = FleetQuery.safeParse(c.req.query());
  if (!parsed.success) return validationProblem(c, fieldErrors(parsed.error));
  const at = now(c);
  const { db } = c.var.deps;
  const report = await fleetHealthReport(db, MASTER, parsed.data, at, await staleAfterMs(db));
  const content = FleetPage({ report, query: parsed.data, today: at.toISOString().slice(0, 10) });
  return c.html(await renderPage(c, { title: 'Fleet', content, active: 'fleet' }));
});
