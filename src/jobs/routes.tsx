/**
 * @module
 * Jobs: `GET /api/jobs` (the index, or `?live=true` from the master), `GET /api/jobs/activity`,
 * `GET /api/jobs/timeline`, `GET /api/jobs/{jid}` (detail from the master), `POST
 * /api/jobs/{jid}/kill`, and the pages `/jobs` and `/jobs/:jid`.
 */
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { createRouter } from '../http/router.ts';
import { pageRoute, secureRoute, HTML_FRAGMENT } from '../http/route.ts';
import { perm } from '../auth/access.ts';
import { respond } from '../http/respond.ts';
import { renderPage } from '../http/page.ts';
import { ErrorBody, problem } from '../http/problem.ts';
import { faceOf } from '../http/negotiate.ts';
import { addNavEntry } from '../http/nav.ts';
import { permits } from '../rbac/glob.ts';
import type { AppEnv } from '../http/env.ts';
import { audit } from '../audit/service.ts';
import { SaltHttpError, saltClientOr503, withSalt, wrapSaltErrors } from '../salt/deps.ts';
import { JidParam, JobActivity, JobDetail, JobPage, JobQuery, JobTimeline, KillResult, TimelineQuery, queryTime } from './schemas.ts';
import { listJobs } from './service.ts';
import { getJobDetail, killJob, listJobsLive } from './live.ts';
import { jobActivity, jobTimeline } from './activity.ts';
import { JobList } from '../../views/jobs/list.tsx';
import { LiveRegion } from '../../views/activity/live.tsx';
import { JobDetailView, KillResultView } from '../../views/jobs/detail.tsx';
import { ActivityChart, TimelineChart } from '../../views/jobs/charts.tsx';
import { ErrorAlert } from '../../views/components/alert.tsx';

/** Today there is one master; services take it as a parameter for the several-masters future. */
const MASTER = 'default';

addNavEntry({ key: 'jobs', label: 'Jobs', href: '/jobs', verb: 'view', resource: 'job:*', section: 'fleet' });

const now = (c: Context<AppEnv>) => c.var.deps.now?.() ?? new Date();
const notFound = { description: 'The master knows no such job', content: { 'application/json': { schema: ErrorBody } } };
const saltErrors = {
  502: { description: 'salt-api answered with an error', content: { 'application/json': { schema: ErrorBody } } },
  503: { description: 'Salt is not configured or unreachable', content: { 'application/json': { schema: ErrorBody } } },
};

const list = secureRoute(perm('view', 'job:*'), {
  method: 'get',
  path: '/api/jobs',
  tags: ['jobs'],
  summary: 'Recent jobs (50 by default), filtered and paginated; `live=true` reads the master (newest 500 at most)',
  request: { query: JobQuery },
  responses: {
    200: { description: 'A page of jobs', content: { 'application/json': { schema: JobPage }, ...HTML_FRAGMENT } },
    ...saltErrors,
  },
});

const activity = secureRoute(perm('view', 'job:*'), {
  method: 'get',
  path: '/api/jobs/activity',
  tags: ['jobs'],
  summary: 'Jobs per hour and per day by outcome over the last 7 days',
  responses: { 200: { description: 'Counts', content: { 'application/json': { schema: JobActivity }, ...HTML_FRAGMENT } } },
});

const timeline = secureRoute(perm('view', 'job:*'), {
  method: 'get',
  path: '/api/jobs/timeline',
  tags: ['jobs'],
  summary: 'The jobs that started in a window (default: the last 24 h)',
  request: { query: TimelineQuery },
  responses: { 200: { description: 'Jobs in the window', content: { 'application/json': { schema: JobTimeline }, ...HTML_FRAGMENT } } },
});

const detail = secureRoute(perm('view', 'job:{jid}'), {
  method: 'get',
  path: '/api/jobs/{jid}',
  tags: ['jobs'],
  summary: 'One job from the master: a row per targeted minion, state results parsed',
  request: { params: JidParam },
  responses: {
    200: { description: 'The job', content: { 'application/json': { schema: JobDetail }, ...HTML_FRAGMENT } },
    404: notFound,
    ...saltErrors,
  },
});

const kill = secureRoute(perm('kill', 'job:{jid}'), {
  method: 'post',
  path: '/api/jobs/{jid}/kill',
  tags: ['jobs'],
  summary: "Kill a job: saltutil.kill_job on its minions (the status turns complete on a later poll)",
  request: { params: JidParam },
  responses: {
    202: { description: 'The kill signal was sent', content: { 'application/json': { schema: KillResult }, ...HTML_FRAGMENT } },
    404: notFound,
    ...saltErrors,
  },
});

function canKill(c: Context<AppEnv>, jid: string): boolean {
  return permits(c.var.auth.permissions, 'kill', `job:${jid}`);
}

/** The list, from the index or (live) from the master. */
async function readList(c: Context<AppEnv>, q: JobQuery): Promise<JobPage> {
  const { db } = c.var.deps;
  if (!q.live) return listJobs(db, q, { masterId: MASTER });
  return withSalt(c, (salt) => listJobsLive(salt, q, { db, masterId: MASTER, now: () => now(c) }));
}

function timelineWindow(q: z.infer<typeof TimelineQuery>, at: Date) {
  const to = q.to ? queryTime(q.to) : at;
  const from = q.from ? queryTime(q.from) : new Date(to.getTime() - 24 * 3_600_000);
  return { from, to, limit: q.limit };
}

/** The page address matching a list query, so a filtered list can be bookmarked. */
function pageHref(q: JobQuery): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === '' || v === false || (k === 'limit' && v === 50) || (k === 'offset' && v === 0)) continue;
    p.set(k, String(v));
  }
  const s = p.toString();
  return s ? `/jobs?${s}` : '/jobs';
}

export const jobRoutes = createRouter();

jobRoutes.openapi(activity, async (c) => {
  const data = await jobActivity(c.var.deps.db, now(c), { masterId: MASTER });
  return respond(c, { schema: JobActivity, data, view: (a) => ActivityChart({ activity: a }), title: 'Job activity', active: 'jobs' });
});

jobRoutes.openapi(timeline, async (c) => {
  const data = await jobTimeline(c.var.deps.db, timelineWindow(c.req.valid('query'), now(c)), { masterId: MASTER });
  return respond(c, { schema: JobTimeline, data, view: (t) => TimelineChart({ timeline: t }), title: 'Job timeline', active: 'jobs' });
});

jobRoutes.openapi(list, async (c) => {
  const q = c.req.valid('query');
  const page = await readList(c, q);
  if (faceOf(c) === 'fragment') c.header('HX-Push-Url', pageHref(q));
  return respond(c, { schema: JobPage, data: page, view: (p) => JobList({ page: p, query: q }), title: 'Jobs', active: 'jobs' });
});

jobRoutes.openapi(detail, async (c) => {
  const { jid } = c.req.valid('param');
  const data = await withSalt(c, (salt) => getJobDetail(salt, jid, { db: c.var.deps.db, masterId: MASTER, now: () => now(c) }));
  if (!data) return problem(c, 404, { error: 'not_found', message: `The master knows no job ${jid}.` });
  return respond(c, {
    schema: JobDetail,
    data,
    view: (d) => JobDetailView({ detail: d, canKill: canKill(c, jid) }),
    title: `Job ${jid}`,
    active: 'jobs',
  });
});

jobRoutes.openapi(kill, async (c) => {
  const { jid } = c.req.valid('param');
  const salt = saltClientOr503(c);
  let result: KillResult | null;
  try {
    result = await killJob(salt, jid, { db: c.var.deps.db, masterId: MASTER });
  } catch (e) {
    await audit(c, { action: 'kill_job', resource: `job:${jid}`, decision: 'error', jid, detail: (e as Error).message });
    wrapSaltErrors(e);
  }
  if (!result) {
    await audit(c, { action: 'kill_job', resource: `job:${jid}`, decision: 'error', jid, detail: 'no such job' });
    return problem(c, 404, { error: 'not_found', message: `The master knows no job ${jid}.` });
  }
  await audit(c, {
    action: 'kill_job',
    resource: `job:${jid}`,
    decision: 'ok',
    jid,
    payload: { minions: result.minions },
    detail: `saltutil.kill_job sent to ${result.minions.length} minion(s)`,
  });
  return respond(c, { schema: KillResult, data: result, status: 202, view: (r) => KillResultView({ result: r }), title: `Kill ${jid}`, active: 'jobs' });
});

pageRoute(jobRoutes, '/jobs', perm('view', 'job:*'), async (c) => {
  const parsed = JobQuery.safeParse(c.req.query());
  const q = parsed.success ? parsed.data : JobQuery.parse({});
  const { db } = c.var.deps;
  const at = now(c);
  let listPart: string;
  try {
    listPart = JobList({ page: await readList(c, q), query: q });
  } catch (e) {
    // The page still shows the index and the charts when live mode cannot reach Salt.
    if (!(e instanceof SaltHttpError)) throw e;
    const message = e.message;
    listPart = ErrorAlert({ title: 'Live jobs are unavailable', body: { error: 'salt_unavailable', message } }) + JobList({ page: await listJobs(db, { ...q, live: false }, { masterId: MASTER }), query: { ...q, live: false } });
  }
  const invalid = parsed.success
    ? ''
    : ErrorAlert({ title: 'Some filters were ignored', body: { error: 'validation_failed', message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') } });
  const [act, tl] = await Promise.all([
    jobActivity(db, at, { masterId: MASTER }),
    jobTimeline(db, timelineWindow(TimelineQuery.parse({}), at), { masterId: MASTER }),
  ]);
  const content = (invalid as string) + LiveRegion({ categories: ['job'], children: listPart }) + ActivityChart({ activity: act }) + TimelineChart({ timeline: tl });
  return c.html(await renderPage(c, { title: 'Jobs', content, active: 'jobs' }));
});

pageRoute(jobRoutes, '/jobs/:jid', perm('view', 'job:{jid}'), async (c) => {
  const jid = c.req.param('jid') ?? '';
  if (!JidParam.safeParse({ jid }).success) return problem(c, 404, { error: 'not_found', message: `${jid} is not a jid.` });
  const data = await withSalt(c, (salt) => getJobDetail(salt, jid, { db: c.var.deps.db, masterId: MASTER, now: () => now(c) }));
  if (!data) return problem(c, 404, { error: 'not_found', message: `The master knows no job ${jid}.` });
  const detail = JobDetailView({ detail: data, canKill: canKill(c, jid) });
  // A running job refreshes itself from the activity stream (returns arrive as job events).
  const content = data.job.status === 'running' ? LiveRegion({ categories: ['job'], children: detail }) : detail;
  return c.html(await renderPage(c, { title: `Job ${jid}`, content, active: 'jobs' }));
});
