/**
 * @module
 * Minion keys: `GET /api/keys`, `POST /api/keys/{id}/accept`, `POST /api/keys/{id}/reject`,
 * `DELETE /api/keys/{id}`, `POST /api/keys/accept` (several pending keys at once) and the `/keys`
 * page. Actions are live wheel calls, audited, and update the minion snapshot at once; their
 * fragment is a short outcome plus `HX-Trigger: keys-changed`, on which the list reloads itself.
 */
import type { Context } from 'hono';
import { createRouter } from '../http/router.ts';
import { jsonOrForm, pageRoute, secureRoute, validBody, HTML_FRAGMENT } from '../http/route.ts';
import { perm } from '../auth/access.ts';
import { respond } from '../http/respond.ts';
import { renderPage } from '../http/page.ts';
import { ErrorBody, problem } from '../http/problem.ts';
import { addNavEntry } from '../http/nav.ts';
import type { AppEnv } from '../http/env.ts';
import { permits } from '../rbac/glob.ts';
import { audit } from '../audit/service.ts';
import { saltClientOr503, unavailableMessage, wrapSaltErrors } from '../salt/deps.ts';
import { KeyAcceptMany, KeyActionResult, KeyIdParam, KeyList, type KeyActionName } from './schemas.ts';
import { keyAction, listKeys, pendingKeyCount } from './service.ts';
import { KeyActionView, KeyListView, KeysPage, type KeyAbilities } from '../../views/keys/keys.tsx';

const MASTER = 'default';

// The badge counts pending keys from the snapshot: one indexed count per page render.
addNavEntry({
  key: 'keys', label: 'Keys', href: '/keys', verb: 'view', resource: 'key:*', section: 'fleet',
  badge: (c) => pendingKeyCount(c.var.deps.db, MASTER),
});

const now = (c: Context<AppEnv>) => c.var.deps.now?.() ?? new Date();

function abilities(c: Context<AppEnv>): KeyAbilities {
  const granted = c.var.auth.permissions;
  return {
    accept: (id) => permits(granted, 'accept', `key:${id}`),
    reject: (id) => permits(granted, 'reject', `key:${id}`),
    delete: (id) => permits(granted, 'delete', `key:${id}`),
    acceptMany: permits(granted, 'accept', 'key:*'),
  };
}


const list = secureRoute(perm('view', 'key:*'), {
  method: 'get',
  path: '/api/keys',
  tags: ['keys'],
  summary: 'Every minion key by status (accepted, pending, rejected, denied) with its fingerprint',
  responses: { 200: { description: 'The keys, live (or from the snapshot when Salt is unavailable)', content: { 'application/json': { schema: KeyList }, ...HTML_FRAGMENT } } },
});

const actionResponses = {
  200: { description: 'What changed', content: { 'application/json': { schema: KeyActionResult }, ...HTML_FRAGMENT } },
  404: { description: 'No such key', content: { 'application/json': { schema: ErrorBody } } },
  409: { description: 'The key is in a state this action does not take', content: { 'application/json': { schema: ErrorBody } } },
  502: { description: 'salt-api answered with an error', content: { 'application/json': { schema: ErrorBody } } },
  503: { description: 'Salt is not configured or unreachable', content: { 'application/json': { schema: ErrorBody } } },
};

const actionRoute = (action: KeyActionName, method: 'post' | 'delete', path: string, summary: string) =>
  secureRoute(perm(action, 'key:{id}'), { method, path, tags: ['keys'], summary, request: { params: KeyIdParam }, responses: actionResponses });

const accept = actionRoute('accept', 'post', '/api/keys/{id}/accept', 'Accept a pending (or rejected) key');
const reject = actionRoute('reject', 'post', '/api/keys/{id}/reject', 'Reject a pending or accepted key (include_accepted, so it really is rejected)');
const remove = actionRoute('delete', 'delete', '/api/keys/{id}', 'Delete a key, whatever its status');

const acceptMany = secureRoute(perm('accept', 'key:*'), {
  method: 'post',
  path: '/api/keys/accept',
  tags: ['keys'],
  summary: 'Accept several pending keys at once (one wheel call); reports the keys that did not change',
  request: { body: jsonOrForm(KeyAcceptMany) },
  responses: { 200: actionResponses[200], 502: actionResponses[502], 503: actionResponses[503] },
});

/** Runs the action, audits each key's outcome, and answers (the single-key routes turn "nothing changed" into 404/409). */
async function act(c: Context<AppEnv>, action: KeyActionName, ids: string[], single: boolean): Promise<Response> {
  const salt = saltClientOr503(c);
  let result: KeyActionResult;
  try {
    result = await keyAction(c.var.deps.db, MASTER, salt, action, ids, now(c));
  } catch (e) {
    for (const id of ids) await audit(c, { action: `key.${action}`, resource: `key:${id}`, decision: 'error', detail: (e as Error).message });
    wrapSaltErrors(e);
  }
  for (const ch of result.changed) await audit(c, { action: `key.${action}`, resource: `key:${ch.id}`, decision: 'ok', payload: { ids } });
  for (const u of result.unchanged) await audit(c, { action: `key.${action}`, resource: `key:${u.id}`, decision: 'error', detail: u.reason });
  if (result.changed.length > 0) c.header('HX-Trigger', 'keys-changed');
  if (single && result.changed.length === 0) {
    const u = result.unchanged[0]!;
    return problem(c, u.status === null ? 404 : 409, { error: u.status === null ? 'not_found' : 'conflict', message: `${u.id}: ${u.reason}.` });
  }
  return respond(c, { schema: KeyActionResult, data: result, view: (r) => KeyActionView({ result: r }), title: 'Keys', active: 'keys' });
}

export const keyRoutes = createRouter();

keyRoutes.openapi(list, async (c) => {
  const runtime = c.var.deps.runtime;
  const keys = await listKeys(c.var.deps.db, MASTER, runtime?.salt ?? null, unavailableMessage(runtime?.status() ?? null));
  const can = abilities(c);
  return respond(c, { schema: KeyList, data: keys, view: (l) => KeyListView({ list: l, can }), title: 'Keys', active: 'keys' });
});

keyRoutes.openapi(accept, (c) => act(c, 'accept', [c.req.valid('param').id], true));
keyRoutes.openapi(reject, (c) => act(c, 'reject', [c.req.valid('param').id], true));
keyRoutes.openapi(remove, (c) => act(c, 'delete', [c.req.valid('param').id], true));

keyRoutes.openapi(acceptMany, async (c) => {
  const body = validBody(c, { json: c.req.valid('json'), form: c.req.valid('form') });
  if (body instanceof Promise) return body;
  return act(c, 'accept', body.ids, false);
});

pageRoute(keyRoutes, '/keys', perm('view', 'key:*'), async (c) => {
  const runtime = c.var.deps.runtime;
  const keys = await listKeys(c.var.deps.db, MASTER, runtime?.salt ?? null, unavailableMessage(runtime?.status() ?? null));
  return c.html(await renderPage(c, { title: 'Keys', content: KeysPage({ list: keys, can: abilities(c) }), active: 'keys' }));
});
