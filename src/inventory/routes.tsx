/**
 * @module
 * The package inventory: `GET /api/inventory/packages` (search, source, minion, paging, CSV),
 * `GET /api/inventory/packages/{name}/versions`, `POST /api/inventory/packages/search` (version
 * comparisons in dpkg's or rpm's ordering), `GET /api/inventory/breakdown`, and the page
 * `/inventory`. Reads only the database.
 */
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { createRouter } from '../http/router.ts';
import { jsonOrForm, pageRoute, secureRoute, validBody, HTML_FRAGMENT } from '../http/route.ts';
import { perm } from '../auth/access.ts';
import { respond } from '../http/respond.ts';
import { renderPage } from '../http/page.ts';
import { faceOf } from '../http/negotiate.ts';
import { fieldErrors, formHook, validationProblem } from '../http/validation.ts';
import { addNavEntry } from '../http/nav.ts';
import type { AppEnv } from '../http/env.ts';
import { ErrorAlert } from '../../views/components/alert.tsx';
import {
  InventoryBreakdown, InventoryPackagePage, InventoryQuery, PackageNameParam, PackageVersions, VersionSearchBody, VersionSearchResult,
} from './schemas.ts';
import { exportPackages, inventoryBreakdown, listPackages, packagesCsv, packageVersions, searchByVersion } from './service.ts';
import {
  BreakdownView, InventoryPage, inventoryHref, PackageResults, PackageVersionsView, VersionSearchResults,
} from '../../views/inventory/inventory.tsx';

/** Today there is one master; services take it as a parameter for the several-masters future. */
const MASTER = 'default';
const ACCESS = perm('view', 'inventory:*');

addNavEntry({ key: 'inventory', label: 'Inventory', href: '/inventory', verb: 'view', resource: 'inventory:*', section: 'fleet' });


const list = secureRoute(ACCESS, {
  method: 'get',
  path: '/api/inventory/packages',
  tags: ['inventory'],
  summary: 'Installed packages, one row per minion and version: name prefix search, source, minion, paging (limit ≤ 5000); `format=csv` downloads the matches',
  request: { query: InventoryQuery },
  responses: {
    200: {
      description: 'A page of package rows',
      content: { 'application/json': { schema: InventoryPackagePage }, ...HTML_FRAGMENT, 'text/csv': { schema: z.string().openapi({ description: 'With format=csv' }) } },
    },
  },
});

const versions = secureRoute(ACCESS, {
  method: 'get',
  path: '/api/inventory/packages/{name}/versions',
  tags: ['inventory'],
  summary: 'The installed versions of one package, newest first in its package manager’s ordering, each with its minion count',
  request: { params: PackageNameParam },
  responses: { 200: { description: 'The versions', content: { 'application/json': { schema: PackageVersions }, ...HTML_FRAGMENT } } },
});

const search = secureRoute(ACCESS, {
  method: 'post',
  path: '/api/inventory/packages/search',
  tags: ['inventory'],
  summary: 'Minions whose installed version of a package compares to a version (<, <=, =, >=, >) in Debian’s or RPM’s ordering (epochs, tildes, releases)',
  request: { body: jsonOrForm(VersionSearchBody) },
  responses: { 200: { description: 'The matching minion rows', content: { 'application/json': { schema: VersionSearchResult }, ...HTML_FRAGMENT } } },
});

const breakdown = secureRoute(ACCESS, {
  method: 'get',
  path: '/api/inventory/breakdown',
  tags: ['inventory'],
  summary: 'Accepted minions by OS and salt version (from their grains)',
  responses: { 200: { description: 'The breakdown', content: { 'application/json': { schema: InventoryBreakdown }, ...HTML_FRAGMENT } } },
});

const csrfOf = (c: Context<AppEnv>) => c.var.auth.session?.csrfToken ?? null;
// htmx swaps the answer into the results area under the form, so an invalid search answers
// with the errors there rather than a second form.
const searchFormHook = formHook((_c, errors) =>
  ErrorAlert({
    title: 'Check the input',
    body: { error: 'validation_failed', message: 'The search needs a package name, an operator and a version.', fields: Object.entries(errors).map(([field, message]) => ({ field, message })) },
  }),
);

export const inventoryRoutes = createRouter();

inventoryRoutes.openapi(list, async (c) => {
  const q = c.req.valid('query');
  const { db } = c.var.deps;
  if (q.format === 'csv') {
    const rows = await exportPackages(db, MASTER, q);
    c.header('Content-Disposition', 'attachment; filename="inventory.csv"');
    return c.body(packagesCsv(rows), 200, { 'Content-Type': 'text/csv; charset=utf-8' });
  }
  const page = await listPackages(db, MASTER, q);
  if (faceOf(c) === 'fragment') c.header('HX-Push-Url', inventoryHref('/inventory', { q: q.q, source: q.source, minion: q.minion, offset: q.offset ? String(q.offset) : undefined }));
  return respond(c, { schema: InventoryPackagePage, data: page, view: (p) => PackageResults({ page: p, query: q }), title: 'Inventory', active: 'inventory' });
});

inventoryRoutes.openapi(versions, async (c) => {
  const { name } = c.req.valid('param');
  const data = await packageVersions(c.var.deps.db, MASTER, name);
  return respond(c, { schema: PackageVersions, data, view: (v) => PackageVersionsView({ versions: v }), title: `Package ${name}`, active: 'inventory' });
});

inventoryRoutes.openapi(
  search,
  async (c) => {
    const body = validBody(c, { json: c.req.valid('json'), form: c.req.valid('form') });
    if (body instanceof Promise) return body;
    const data = await searchByVersion(c.var.deps.db, MASTER, body);
    return respond(c, { schema: VersionSearchResult, data, view: (r) => VersionSearchResults({ result: r }), title: 'Version search', active: 'inventory' });
  },
  searchFormHook,
);

inventoryRoutes.openapi(breakdown, async (c) => {
  const data = await inventoryBreakdown(c.var.deps.db, MASTER);
  return respond(c, { schema: InventoryBreakdown, data, view: (b) => BreakdownView({ breakdown: b }), title: 'Fleet breakdown', active: 'inventory' });
});

pageRoute(inventoryRoutes, '/inventory', ACCESS, async (c) => {
  const parsed = InventoryQuery.safeParse(c.req.query());
  if (!parsed.success) return validationProblem(c, fieldErrors(parsed.error));
  const { db } = c.var.deps;
  const [page, b] = await Promise.all([listPackages(db, MASTER, parsed.data), inventoryBreakdown(db, MASTER)]);
  const content = InventoryPage({ page, query: parsed.data, breakdown: b, csrfToken: csrfOf(c) });
  return c.html(await renderPage(c, { title: 'Inventory', content, active: 'inventory' }));
});
