/**
 * @module
 * Activity routes: the live SSE stream, the stored history (JSON or fragment), the stream status,
 * and the Activity page. Each user sees only the categories their permissions reach: job events
 * need `view` on `job:*`, key events `key:*`, minion events `minion:*`.
 */
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from '@hono/zod-openapi';
import { createRouter } from '../http/router.ts';
import { pageRoute, secureRoute } from '../http/route.ts';
import { perm } from '../auth/access.ts';
import { respond } from '../http/respond.ts';
import { renderPage } from '../http/page.ts';
import { addNavEntry } from '../http/nav.ts';
import { permits } from '../rbac/glob.ts';
import type { AppDeps, AppEnv } from '../http/env.ts';
import { ACTIVITY_CATEGORIES, type ActivityCategory } from './normalize.ts';
import { ActivityPage, ActivityQuery, StreamQuery, StreamStatusSchema, type StreamStatus } from './schemas.ts';
import { listActivity } from './service.ts';
import { EventHub } from './hub.ts';
import { serveActivityStream } from './sse.ts';
import { ActivityFeed, StreamStatusBadge } from '../../views/activity/feed.tsx';

addNavEntry({ key: 'activity', label: 'Activity', href: '/activity', verb: 'view', resource: 'activity:*', section: 'fleet' });

const MASTER = 'default';
const VIEW_ACTIVITY = perm('view', 'activity:*');

/** Apps built without a hub (tests, a lead not wired yet) get one of their own: the stream still answers. */
const fallbackHubs = new WeakMap<AppDeps, EventHub>();

/** The app's hub: `deps.hub`, or a per-app one with no consumer behind it. */
export function hubOf(c: Context<AppEnv>): EventHub {
  const deps = c.var.deps;
  if (deps.hub) return deps.hub;
  let hub = fallbackHubs.get(deps);
  if (!hub) fallbackHubs.set(deps, (hub = new EventHub()));
  return hub;
}

/** The categories this user may see. */
export function allowedCategories(c: Context<AppEnv>): ActivityCategory[] {
  const granted = c.var.auth.permissions;
  return ACTIVITY_CATEGORIES.filter((cat) => permits(granted, 'view', `${cat}:*`));
}

/** The hub's status, explained by the Salt connection when the stream is not running. */
function streamStatus(c: Context<AppEnv>): StreamStatus {
  const s = hubOf(c).status();
  if (s.state !== 'off') return s;
  const runtime = c.var.deps.runtime;
  const salt = runtime?.status();
  if (!runtime || !salt) return { ...s, message: 'Salt is not connected: no live events.' };
  if (salt.state === 'unconfigured') return { ...s, message: 'Salt is not configured: no live events.' };
  if (salt.state !== 'ok' && salt.state !== 'connecting') return { ...s, message: `salt-api is ${salt.state.replace('_', ' ')}${salt.message ? ` (${salt.message})` : ''}: no live events.` };
  // RuntimeConfig exposes the applied settings; the Runtime interface (and test fakes) may not.
  const applied = (runtime as { settings?: { eventStreamEnabled?: boolean } | null }).settings;
  if (applied?.eventStreamEnabled === false) return { ...s, message: 'The event stream is turned off in the settings.' };
  return s;
}

const history = secureRoute(VIEW_ACTIVITY, {
  method: 'get',
  path: '/api/activity',
  tags: ['activity'],
  summary: 'Stored activity, newest first: paged with `before`, filtered by category, kind, tag prefix, minion, jid, since/until',
  request: { query: ActivityQuery },
  responses: {
    200: {
      description: 'A page of events (only the categories the user may view)',
      content: { 'application/json': { schema: ActivityPage }, 'text/html': { schema: z.string() } },
    },
  },
});

const status = secureRoute(VIEW_ACTIVITY, {
  method: 'get',
  path: '/api/activity/status',
  tags: ['activity'],
  summary: 'The state of the upstream Salt event stream (live, reconnecting, off and why)',
  responses: { 200: { description: 'Stream status', content: { 'application/json': { schema: StreamStatusSchema }, 'text/html': { schema: z.string() } } } },
});

const stream = secureRoute(VIEW_ACTIVITY, {
  method: 'get',
  path: '/api/activity/stream',
  tags: ['activity'],
  summary: 'Live activity as Server-Sent Events',
  description: [
    'Replays the recent events (or, with `Last-Event-ID` / `after`, only those after that id, from memory or the database),',
    'then forwards live events; a `: keepalive` comment comes every 20 s. Event ids are the stored ids and only grow.',
    'Only the categories the user may view are sent (`view` on `job:*`, `key:*`, `minion:*`), narrowed by `category`.',
    '',
    '`format=json` (default, API clients): `event: job|key|minion`, `data:` the ActivityEvent JSON; `event: status`, `data:` ActivityStreamStatus JSON.',
    '',
    '`format=html` (htmx pages): `event: job|key|minion` with an escaped `<tr>` fragment; `event: status` with the status badge fragment;',
    'and, per event, `job-changed` / `key-changed` / `minion-changed` (data: the jid or minion id) plus `job-changed-<jid>`, `minion-changed-<id>`, ...',
    'so an element can refresh itself with `hx-trigger="sse:job-changed-<jid>"` (see views/activity/live.tsx).',
    'The stream answers even while Salt is down; the status event says why nothing is live.',
  ].join('\n'),
  request: {
    query: StreamQuery.extend({
      category: z.string().optional().openapi({ description: 'Comma-separated categories to receive (default: all allowed)' }),
    }),
    headers: z.object({ 'last-event-id': z.string().regex(/^\d+$/).optional() }),
  },
  responses: {
    200: { description: 'text/event-stream', content: { 'text/event-stream': { schema: z.string() }, 'text/html': { schema: z.string() } } },
  },
});

export const activityRoutes = createRouter();

activityRoutes.openapi(history, async (c) => {
  const q = c.req.valid('query');
  const page = await listActivity(c.var.deps.db, MASTER, allowedCategories(c), q);
  const s = streamStatus(c);
  return respond(c, { schema: ActivityPage, data: page, view: (data) => ActivityFeed({ page: data, q, status: s }), title: 'Activity', active: 'activity' }) as never;
});

activityRoutes.openapi(status, async (c) => {
  return respond(c, { schema: StreamStatusSchema, data: streamStatus(c), view: (s) => StreamStatusBadge({ s }), title: 'Activity stream' }) as never;
});

activityRoutes.openapi(stream, (c) => {
  const q = c.req.valid('query');
  const allowed = allowedCategories(c);
  const wanted = q.category ? q.category.split(',').map((s) => s.trim()) : allowed;
  const categories = new Set(allowed.filter((cat) => wanted.includes(cat)));
  const header = c.req.header('Last-Event-ID');
  const resume = header && /^\d+$/.test(header) ? Number(header) : (q.after ?? null);
  const hub = hubOf(c);
  // Proxies (nginx) buffer responses unless told not to; an SSE stream must flow.
  c.header('X-Accel-Buffering', 'no');
  return streamSSE(c, (s) =>
    serveActivityStream(s, {
      hub, db: c.var.deps.db, masterId: MASTER, categories, format: q.format, resume, statusOverride: () => streamStatus(c),
    }),
  ) as never;
});

pageRoute(activityRoutes, '/activity', VIEW_ACTIVITY, async (c) => {
  const parsed = ActivityQuery.safeParse(c.req.query());
  const q = parsed.success ? parsed.data : ActivityQuery.parse({});
  const page = await listActivity(c.var.deps.db, MASTER, allowedCategories(c), q);
  const content = ActivityFeed({ page, q, status: streamStatus(c) });
  return c.html(await renderPage(c, { title: 'Activity', active: 'activity', content }));
});
