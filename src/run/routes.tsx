/**
 * @module
 * Run routes: `POST /api/run/preview`, `POST /api/run`, `GET /api/run/{jid}` (progress),
 * `GET /api/salt/functions` and `GET /api/salt/doc`, and the pages `/run` and `/run/{jid}`.
 *
 * Permission per function. Running `fun` needs `run` on `salt:<fun>`, so a role can allow
 * `salt:test.*` but not `salt:cmd.*`. The resource depends on the request BODY, which the guard
 * (a middleware, running before validation) cannot read by itself. So a small middleware
 * registered ahead of the two POST routes reads the raw body once (Hono caches it, and the
 * validator reads the cached copy) and remembers `fun`; the routes' access is
 * `perm('run', 'salt:{fun}')` with a `resolve` that returns `salt:<that fun>`. The check and its
 * audit row (allow or deny, resource `salt:test.ping`) are therefore made by the standard guard,
 * with the same matcher as every other route, before anything is validated or resolved. A body
 * without a usable `fun` is checked as `salt:*` (running anything), which only a role allowed to
 * run every function passes — it then gets its 422. In openapi.json the access reads
 * `run:salt:{fun}`; the RBAC matrix fills `{fun}` with a name no role lists, so a viewer must get
 * 403 and an operator (`run:salt:**`) must not.
 *
 * The handlers check once more, with the same matcher, on the `fun` the validator produced
 * (`runAllowed`): should the peek and the validator ever read a body differently (a form with
 * `fun` twice, say), what runs is still what was checked.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { z } from '@hono/zod-openapi';
import { createRouter } from '../http/router.ts';
import { jsonOrForm, pageRoute, secureRoute, validBody } from '../http/route.ts';
import { perm, type Access } from '../auth/access.ts';
import { respond } from '../http/respond.ts';
import { problem } from '../http/problem.ts';
import { renderPage } from '../http/page.ts';
import { addNavEntry } from '../http/nav.ts';
import { validationProblem } from '../http/validation.ts';
import { faceOf } from '../http/negotiate.ts';
import { permits } from '../rbac/glob.ts';
import type { AppEnv } from '../http/env.ts';
import { audit } from '../audit/service.ts';
import { saltClientOr503, wrapSaltErrors } from '../salt/deps.ts';
import { readSettingsRow } from '../settings/service.ts';
import { FunctionDoc, FunctionList, JidParam, PreviewBody, ProgressQuery, RunAccepted, RunBody, RunPreview, RunProgress, toCommand } from './schemas.ts';
import { dispatchRun, previewRun, type RunDeps } from './service.ts';
import { runProgress } from './progress.ts';
import { functionDoc, listFunctions, NoMinionToAsk } from './functions.ts';
import { FunctionDatalist, FunctionDocView, RunPreviewView } from '../../views/run/form.tsx';
import { RunLiveView, RunProgressView } from '../../views/run/progress.tsx';
import { runPageBody } from './page.tsx';

addNavEntry({ key: 'run', label: 'Run', href: '/run', verb: 'run', resource: 'salt:**', section: 'fleet' });

const MASTER = 'default';

/** `fun` as read from the raw body, per request (the guard's resolve reads it). */
const funOfRequest = new WeakMap<Request, string>();

/** Reads `fun` from a JSON or urlencoded body without consuming it for the validator. */
const peekFun: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.method === 'POST') {
    const type = c.req.header('Content-Type') ?? '';
    let fun: unknown;
    try {
      const text = await c.req.text();
      if (type.startsWith('application/json')) fun = (JSON.parse(text) as { fun?: unknown })?.fun;
      else if (type.startsWith('application/x-www-form-urlencoded')) {
        const all = new URLSearchParams(text).getAll('fun');
        // Ambiguous (several `fun`): leave it unknown, so the check is on running anything.
        fun = all.length === 1 ? all[0] : undefined;
      }
    } catch {
      fun = undefined; // malformed: validation answers 422 after the guard
    }
    if (typeof fun === 'string' && fun.trim()) funOfRequest.set(c.req.raw, fun.trim());
  }
  await next();
};

/** `run` on `salt:<fun from the body>`; see the module comment. */
const RUN_FUN: Access = {
  kind: 'perm',
  verb: 'run',
  resource: 'salt:{fun}',
  resolve: (c) => `salt:${funOfRequest.get(c.req.raw) ?? '*'}`,
};

/**
 * The run page needs some `run` grant on `salt:…`. It resolves to the user's own grant (a glob
 * matches itself), so a role allowed only `salt:test.*` still opens the page.
 */
const RUN_ANY: Access = {
  kind: 'perm',
  verb: 'run',
  resource: 'salt:*',
  resolve: (c) => {
    const grant = (c as Context<AppEnv>).var.auth.permissions.find((p) => permits([p], 'run', p.resource) && p.resource.startsWith('salt:'));
    return grant?.resource ?? 'salt:*';
  },
};

const VIEW_FUNCTIONS = perm('view', 'salt:functions');

/**
 * The handler's own check on the validated function (see the module comment); audits and answers
 * 403 when it fails, null when the user may run `fun`.
 */
async function runAllowed(c: Context<AppEnv>, fun: string): Promise<Response | null> {
  if (funOfRequest.get(c.req.raw) === fun) return null; // the guard checked (and audited) exactly this one
  const resource = `salt:${fun}`;
  const allowed = permits(c.var.auth.permissions, 'run', resource);
  await audit(c, { action: 'run', resource, decision: allowed ? 'allow' : 'deny', detail: `${c.req.method} ${c.req.path}` });
  if (allowed) return null;
  return problem(c, 403, {
    error: 'forbidden',
    message: `You do not have the permission run on ${resource}. Ask an administrator for a role that grants it.`,
  });
}

function runDeps(c: Context<AppEnv>, threshold: number): RunDeps {
  const now = c.var.deps.now ?? (() => new Date());
  return { db: c.var.deps.db, masterId: MASTER, salt: () => saltClientOr503(c), threshold, now };
}

/** Whether the activity stream delivers returns right now. */
export function streamLive(c: Context<AppEnv>): boolean {
  return c.var.deps.hub?.status().state === 'connected';
}

const both = (schema: z.ZodType, description: string) => ({
  description,
  content: { 'application/json': { schema }, 'text/html': { schema: z.string() } },
});

const preview = secureRoute(RUN_FUN, {
  method: 'post',
  path: '/api/run/preview',
  tags: ['run'],
  summary: 'Resolve a target (snapshot, or the master for pillar/nodegroup/ipcidr/compound) and say what confirmation running the command needs',
  request: { body: jsonOrForm(PreviewBody) },
  responses: { 200: both(RunPreview, 'The minions the target matches and the confirmation needed') },
});

const run = secureRoute(RUN_FUN, {
  method: 'post',
  path: '/api/run',
  tags: ['run'],
  summary: 'Dispatch a command with local_async (with `batch`: runner_async state.orchestrate_single on the master); 202 with the jid and the targeted minions',
  description:
    'Needs `run` on `salt:<fun>`. A dangerous function needs `confirm: true`; a target larger than the confirmation threshold needs `confirm_count` equal to the number of minions it matches. Both are checked here, against a fresh resolution of the target. With `batch`, the jid is the batch runner\'s (each batch is a minion job of its own) and `minions` the resolved target.',
  request: { body: jsonOrForm(RunBody) },
  responses: {
    202: both(RunAccepted, 'Dispatched'),
    501: { description: 'Batches need SaltApiClient.runnerAsync' },
    502: { description: 'salt-api answered with an error' },
    503: { description: 'Salt is not configured or unreachable' },
  },
});

const progress = secureRoute(perm('view', 'job:{jid}'), {
  method: 'get',
  path: '/api/run/{jid}',
  tags: ['run'],
  summary: 'A dispatched run: returned / pending / failed counts and the returns (from the event stream, or jobs.lookup_jid when it is off)',
  request: { params: JidParam, query: ProgressQuery },
  responses: { 200: both(RunProgress, 'The run'), 404: { description: 'Halite did not dispatch this jid' } },
});

const functions = secureRoute(VIEW_FUNCTIONS, {
  method: 'get',
  path: '/api/salt/functions',
  tags: ['run'],
  summary: 'Every execution function a minion offers (sys.list_functions on one minion, cached 10 minutes)',
  responses: { 200: both(FunctionList, 'Function names, sorted'), 503: { description: 'No minion to ask, or Salt unavailable' } },
});

const doc = secureRoute(VIEW_FUNCTIONS, {
  method: 'get',
  path: '/api/salt/doc',
  tags: ['run'],
  summary: "A function's documentation (sys.doc on one minion, cached 10 minutes)",
  request: { query: z.object({ fun: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+$/, 'must be a Salt function name such as test.ping') }) },
  responses: { 200: both(FunctionDoc, 'The docstring (null when the minion has none)'), 503: { description: 'No minion to ask, or Salt unavailable' } },
});

export const runRoutes = createRouter();
runRoutes.use('/api/run', peekFun);
runRoutes.use('/api/run/preview', peekFun);

runRoutes.openapi(preview, async (c) => {
  const body = validBody(c, { json: c.req.valid('json'), form: c.req.valid('form') });
  if (body instanceof Promise) return body;
  const cmd = toCommand(body);
  if ('field' in cmd) return validationProblem(c, [cmd]);
  const refused = await runAllowed(c, cmd.fun);
  if (refused) return refused;
  const settings = await readSettingsRow(c.var.deps.db);
  let data: RunPreview;
  try {
    data = await previewRun(runDeps(c, settings.runConfirmThreshold), cmd);
  } catch (e) {
    wrapSaltErrors(e);
  }
  return respond(c, { schema: RunPreview, data, view: (p) => RunPreviewView({ p }), title: 'Preview', active: 'run' });
});

runRoutes.openapi(run, async (c) => {
  const body = validBody(c, { json: c.req.valid('json'), form: c.req.valid('form') });
  if (body instanceof Promise) return body;
  const cmd = toCommand(body);
  if ('field' in cmd) return validationProblem(c, [cmd]);
  const refused = await runAllowed(c, cmd.fun);
  if (refused) return refused;
  const { user } = c.var.auth;
  const settings = await readSettingsRow(c.var.deps.db);
  const payload = { target: cmd.target, target_type: cmd.targetType, fun: cmd.fun, args: cmd.args, kwargs: cmd.kwargs, batch: cmd.batch, timeout: cmd.timeout };
  let outcome: Awaited<ReturnType<typeof dispatchRun>>;
  try {
    outcome = await dispatchRun(runDeps(c, settings.runConfirmThreshold), cmd, body, { userId: user!.id, username: user!.username });
  } catch (e) {
    await audit(c, { action: 'run', resource: `salt:${cmd.fun}`, decision: 'error', payload, detail: (e as Error).message });
    wrapSaltErrors(e);
  }
  if (!outcome.ok) {
    await audit(c, { action: 'run', resource: `salt:${cmd.fun}`, decision: 'error', payload, detail: `${outcome.reason}: ${outcome.message}` });
    return validationProblem(c, [{ field: outcome.field, message: outcome.message }]);
  }
  const a = outcome.accepted;
  await audit(c, { action: 'run', resource: `salt:${cmd.fun}`, decision: 'ok', payload, jid: a.jid, detail: `${a.minion_count} minions` });
  if (faceOf(c) === 'fragment') c.header('HX-Push-Url', a.links.run);
  const live = streamLive(c);
  const initial: RunProgress = {
    jid: a.jid, fun: a.fun, target: a.target, target_type: a.target_type, batch: a.batch, username: user!.username,
    dispatched_at: (c.var.deps.now?.() ?? new Date()).toISOString(), targeted: a.minion_count, returned: 0, failed: 0,
    pending: a.minion_count, done: a.minion_count === 0, source: live ? 'stream' : 'lookup_jid', results_loaded: false, error: null,
    minions: a.minions.map((m) => ({ minion: m, status: 'pending' as const, outcome: null })),
  };
  return respond(c, { schema: RunAccepted, data: a, status: 202, view: () => RunLiveView({ p: initial, streamLive: live, now: c.var.deps.now?.() ?? new Date() }), title: 'Run', active: 'run' });
});

runRoutes.openapi(progress, async (c) => {
  const { jid } = c.req.valid('param');
  const { results } = c.req.valid('query');
  const live = streamLive(c);
  let data: RunProgress | null;
  try {
    data = await runProgress({ db: c.var.deps.db, masterId: MASTER, streamLive: live, salt: () => saltClientOr503(c) }, jid, results);
  } catch (e) {
    wrapSaltErrors(e);
  }
  if (!data) return problem(c, 404, { error: 'not_found', message: `Halite did not dispatch the job ${jid}; see /jobs/${jid}.` });
  return respond(c, { schema: RunProgress, data, view: (p) => RunProgressView({ p, streamLive: live, now: c.var.deps.now?.() ?? new Date() }), title: `Run ${jid}`, active: 'run' });
});

async function withFunctionsDeps<T>(c: Context<AppEnv>, fn: (deps: Parameters<typeof listFunctions>[0]) => Promise<T>): Promise<T | Response> {
  const salt = saltClientOr503(c);
  const now = c.var.deps.now ? () => c.var.deps.now!().getTime() : Date.now;
  try {
    return await fn({ db: c.var.deps.db, masterId: MASTER, salt, now });
  } catch (e) {
    if (e instanceof NoMinionToAsk) return problem(c, 503, { error: 'no_minion', message: e.message });
    wrapSaltErrors(e);
  }
}

runRoutes.openapi(functions, async (c) => {
  const data = await withFunctionsDeps(c, (d) => listFunctions(d));
  if (data instanceof Response) return data;
  return respond(c, { schema: FunctionList, data, view: (list) => FunctionDatalist({ list }), title: 'Salt functions', active: 'run' });
});

runRoutes.openapi(doc, async (c) => {
  const { fun } = c.req.valid('query');
  const data = await withFunctionsDeps(c, (d) => functionDoc(d, fun));
  if (data instanceof Response) return data;
  return respond(c, { schema: FunctionDoc, data, view: (d) => FunctionDocView({ doc: d }), title: fun, active: 'run' });
});

pageRoute(runRoutes, '/run', RUN_ANY, async (c) => {
  const content = await runPageBody(c, c.req.query('template'));
  return c.html(await renderPage(c, { title: 'Run a command', content, active: 'run' }));
});

pageRoute(runRoutes, '/run/:jid', perm('view', 'job:{jid}'), async (c) => {
  const jid = c.req.param('jid') ?? '';
  if (!/^\d{20}$/.test(jid)) return problem(c, 404, { error: 'not_found', message: 'A jid is 20 digits.' });
  const live = streamLive(c);
  let p: RunProgress | null;
  try {
    p = await runProgress({ db: c.var.deps.db, masterId: MASTER, streamLive: live, salt: () => saltClientOr503(c) }, jid, 'auto');
  } catch (e) {
    wrapSaltErrors(e);
  }
  if (!p) return problem(c, 404, { error: 'not_found', message: `Halite did not dispatch the job ${jid}; see /jobs/${jid}.` });
  return c.html(await renderPage(c, { title: `Run ${jid}`, content: RunLiveView({ p, streamLive: live, now: c.var.deps.now?.() ?? new Date() }), active: 'run' }));
});
