/**
 * @module
 * The overview page: what a signed-in operator lands on.
 */
import { createRouter } from '../http/router.ts';
import { pageRoute } from '../http/route.ts';
import { perm } from '../auth/access.ts';
import { renderPage } from '../http/page.ts';
import { Overview } from '../../views/home/overview.tsx';
import { overview } from './service.ts';

export const homeRoutes = createRouter();

pageRoute(homeRoutes, '/', perm('view', 'dashboard:*'), async (c) => {
  const runtime = c.var.deps.runtime;
  const salt = runtime ? runtime.status() : null;
  const data = await overview(c.var.deps.db, c.var.auth.permissions, 'default', c.var.deps.now?.());
  return c.html(await renderPage(c, { title: 'Overview', active: 'home', content: Overview({ salt, data }) }));
});
