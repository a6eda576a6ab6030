/**
 * @module sim/api
 * salt-api's rest_cherrypy endpoints over the simulated master: `/`, `/login`, `/logout`,
 * `/minions`, `/jobs`, `/keys`, `/run`, `/token`, `/events`, `/hook`, `/stats`, with CherryPy's
 * check order (session → auth → unexpected query kwargs → Accept → body → handler) and the
 * recorded headers, status codes and messages.
 */
import type { AuthStore, SaltToken, Session } from './auth.ts';
import { negotiate, notAcceptableMessage, send, sendData, sendError, sendUnexpected, type Exchange } from './cherrypy.ts';
import { ALL_CLIENTS, checkPerms, HttpError, runChunk, type Lowstate } from './lowstate.ts';
import type { SimMaster } from './master.ts';
import { parseBody, sessionIdOf, titleCaseHeaders, toLowstates } from './request.ts';
import { runRunner } from './runners.ts';
import { serveEvents, type StreamSet } from './stream.ts';
import { runWheel } from './wheel.ts';

/** What the endpoints need from the simulator. */
export interface ApiDeps {
  master: SimMaster;
  auth: AuthStore;
  streams: StreamSet;
  failedLoginDelayMs: number;
  startedMs: number;
  requestCount(): number;
}

const NO_PERMISSION = 'No permission -- see authorization schemes';
const BAD_CREDENTIALS = 'Could not authenticate using provided credentials';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Session tool + salt_auth tool: answers 401 itself and returns null when the request may not proceed. */
function authorize(ex: Exchange, auth: AuthStore, opts: { cachePrivate?: boolean; onExpired?: (token: SaltToken) => void } = {}): { session: Session; token: SaltToken } | null {
  const session = auth.session(sessionIdOf(ex.req));
  ex.cookie = session?.id ?? auth.newSessionId();
  if (!session) {
    sendError(ex, 401, NO_PERMISSION);
    return null;
  }
  ex.cachePrivate = opts.cachePrivate !== false;
  const token = auth.token(session.saltToken);
  if (!token || !auth.tokenValid(session.saltToken)) {
    if (token) opts.onExpired?.(token);
    sendError(ex, 401, 'Authentication error occurred.');
    return null;
  }
  return { session, token };
}

/** CherryPy rejects query parameters a handler does not take with a 404. */
function rejectQuery(ex: Exchange, url: URL): boolean {
  if ([...url.searchParams.keys()].length === 0) return false;
  sendError(ex, 404, 'Nothing matches the given URI');
  return true;
}

function rejectAccept(ex: Exchange): boolean {
  if (negotiate(ex.req) !== null) return false;
  sendError(ex, 406, notAcceptableMessage(ex.req));
  return true;
}

async function runLowstates(deps: ApiDeps, ex: Exchange, chunks: Lowstate[], token: SaltToken): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const chunk of chunks) out.push(...(await runChunk(deps.master, chunk, token)));
  return out;
}

async function login(deps: ApiDeps, ex: Exchange, raw: Buffer): Promise<void> {
  ex.cookie = deps.auth.session(sessionIdOf(ex.req))?.id ?? deps.auth.newSessionId();
  const body = (parseBody(ex.req, raw) ?? {}) as Record<string, unknown>;
  if (typeof body !== 'object' || body === null || !('username' in body)) return sendUnexpected(ex);
  const who = deps.auth.authenticate(body.username, body.password, body.eauth);
  if (!who) {
    if (deps.failedLoginDelayMs > 0) await sleep(deps.failedLoginDelayMs);
    return sendError(ex, 401, BAD_CREDENTIALS);
  }
  const ttl = body.token_expire !== undefined ? Number(body.token_expire) : undefined;
  const token = deps.auth.mintToken(who.name, String(body.eauth), who.perms, ttl);
  const session = deps.auth.openSession(token);
  ex.cookie = session.id;
  sendData(ex, 200, { return: [{ token: session.id, expire: token.expire, start: token.start, user: token.name, eauth: token.eauth, perms: token.perms }] },
    { 'X-Auth-Token': session.id });
}

/** `/run`: credentials travel in every chunk (username/password/eauth, or a raw eauth `token`). */
async function run(deps: ApiDeps, ex: Exchange, raw: Buffer): Promise<void> {
  const chunks = toLowstates(parseBody(ex.req, raw));
  const out: unknown[] = [];
  for (const chunk of chunks) {
    let token = typeof chunk.token === 'string' && deps.auth.tokenValid(chunk.token) ? deps.auth.token(chunk.token) : undefined;
    if (!token && chunk.token === undefined) {
      const who = deps.auth.authenticate(chunk.username, chunk.password, chunk.eauth);
      if (who) token = deps.auth.mintToken(who.name, String(chunk.eauth), who.perms);
    }
    if (!token) throw new HttpError(401, 'Authentication error occurred.');
    out.push(...(await runChunk(deps.master, chunk, token)));
  }
  sendData(ex, 200, { return: out });
}

function stats(deps: ApiDeps, ex: Exchange): Record<string, unknown> {
  const nowS = deps.master.now() / 1000;
  const startS = deps.startedMs / 1000;
  const n = deps.requestCount();
  const request = { 'Bytes Read': 0, 'Bytes Written': 0, Client: `${ex.req.socket.remoteAddress ?? '127.0.0.1'}:${ex.req.socket.remotePort ?? 0}`,
    'End Time': nowS, 'Processing Time': 0.001, 'Request-Line': `${ex.req.method} ${ex.req.url} HTTP/1.1`, 'Response Status': '200 OK', 'Start Time': nowS };
  const thread = { Requests: 0, 'Bytes Read': 0, 'Bytes Written': 0, 'Work Time': 0, 'Read Throughput': 0, 'Write Throughput': 0 };
  return {
    'CherryPy Applications': { Enabled: true, 'Bytes Read/Request': 0, 'Bytes Read/Second': 0, 'Bytes Written/Request': 0, 'Bytes Written/Second': 0,
      'Current Time': nowS, 'Current Requests': 1, 'Requests/Second': n / Math.max(1, nowS - startS), 'Server Version': '18.8.0',
      'Start Time': startS, 'Total Bytes Read': 0, 'Total Bytes Written': 0, 'Total Requests': n, 'Total Time': 0, Uptime: nowS - startS,
      Requests: { '140626522240704': request }, 'Slow Queries': [request] },
    'Cheroot HTTPServer 140626554187664': { Enabled: false, 'Bind Address': "('127.0.0.1', 8000)", 'Run time': -1, Accepts: 0, 'Accepts/sec': 0,
      Queue: 0, Threads: 100, 'Threads Idle': 99, 'Socket Errors': 0, Requests: -1, 'Bytes Read': -1, 'Bytes Written': -1, 'Work Time': -1,
      'Read Throughput': -1, 'Write Throughput': -1, 'Worker Threads': Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`CP Server Thread-${i + 2}`, thread])) },
  };
}

/** The master's `salt/job/error` for a publish refused because the eauth token expired. */
function publishRejected(master: SimMaster, ex: Exchange, raw: Buffer, token: SaltToken): void {
  let chunks: Lowstate[] = [];
  try { chunks = toLowstates(parseBody(ex.req, raw)); } catch { return; }
  for (const c of chunks.filter((c) => String(c.client ?? '').startsWith('local'))) {
    master.bus.fire('salt/job/error', { cmd: 'publish', tgt: c.tgt, fun: c.fun, arg: c.arg ?? [], key: 'REDACTED', tgt_type: c.tgt_type ?? 'glob',
      ret: '', jid: '', kwargs: { client: c.client, token: token.token }, user: 'root',
      error: { name: 'AuthenticationError', message: 'Authentication error occurred.' } });
  }
}

/** Handles one salt-api request (the body already read; /events streams). */
export async function handleApi(deps: ApiDeps, ex: Exchange, url: URL, raw: Buffer): Promise<void> {
  const { master, auth } = deps;
  const method = ex.req.method ?? 'GET';
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const [, top, sub] = /^\/([^/]*)(?:\/(.*))?$/.exec(path) ?? [];
  try {
    if (method === 'OPTIONS') {
      ex.allow = 'GET, HEAD, POST';
      return sendError(ex, 500, 'The server encountered an unexpected condition which prevented it from fulfilling the request.', {
        'Access-Control-Allow-Methods': 'GET, POST', 'Access-Control-Allow-Headers': 'Content-Type, X-Auth-Token, X-Requested-With',
        Connection: 'keep-alive', 'Access-Control-Max-Age': '1400' });
    }
    if (path === '/' && method !== 'POST') {
      ex.allow = 'GET, HEAD, POST';
      if (rejectAccept(ex)) return;
      return sendData(ex, 200, { return: 'Welcome', clients: ALL_CLIENTS });
    }
    if (top === 'events' && !sub) return serveEvents(ex, url, auth, master.bus, deps.streams);
    if (top === 'token' && !sub && method === 'POST') {
      ex.allow = 'GET, HEAD, POST';
      const body = (parseBody(ex.req, raw) ?? {}) as Record<string, unknown>;
      const who = auth.authenticate(body.username, body.password, body.eauth);
      if (!who) return sendError(ex, 401, BAD_CREDENTIALS);
      const t = auth.mintToken(who.name, String(body.eauth), who.perms, body.token_expire !== undefined ? Number(body.token_expire) : undefined);
      return sendData(ex, 200, [{ start: t.start, expire: t.expire, name: t.name, eauth: t.eauth, token: t.token }]);
    }
    if (top === 'run' && !sub && method === 'POST') {
      ex.allow = 'GET, HEAD, POST';
      return await run(deps, ex, raw);
    }
    if (top === 'login' && !sub) {
      ex.allow = 'GET, HEAD, POST';
      if (method === 'POST') return await login(deps, ex, raw);
      ex.cookie = auth.session(sessionIdOf(ex.req))?.id ?? auth.newSessionId();
      return sendData(ex, 200, { status: null, return: 'Please log in' }, { 'Www-Authenticate': 'Session' });
    }
    if (top === 'keys' && method === 'POST') {
      ex.allow = 'GET, HEAD, POST';
      return sendError(ex, 500, 'The server encountered an unexpected condition which prevented it from fulfilling the request.');
    }
    const known: Record<string, string> = { '': 'GET, HEAD, POST', logout: 'GET, HEAD, POST', minions: 'GET, HEAD, POST', jobs: 'GET, HEAD, POST',
      keys: 'GET, HEAD, POST', stats: 'GET, HEAD', hook: 'POST' };
    if (!(top in known) || (top === '' && sub) || (sub && !['minions', 'jobs', 'keys', 'hook'].includes(top))) {
      return sendError(ex, 404, `The path '${url.pathname}' was not found.`);
    }
    ex.allow = known[top];
    const granted = authorize(ex, auth, { cachePrivate: top !== 'keys', onExpired: (t) => { if (top === '' && method === 'POST') publishRejected(master, ex, raw, t); } });
    if (!granted) return;
    if (top !== 'hook' && rejectQuery(ex, url)) return;
    if (rejectAccept(ex)) return;
    const { token, session } = granted;
    switch (top) {
      case '': {
        const chunks = toLowstates(parseBody(ex.req, raw));
        return sendData(ex, 200, { return: await runLowstates(deps, ex, chunks, token) });
      }
      case 'logout':
        auth.logout(session.id);
        return sendData(ex, 200, { return: 'Your token has been cleared' });
      case 'minions': {
        if (method === 'POST') {
          const chunks = toLowstates(parseBody(ex.req, raw)).map((c) => ({ ...c, client: 'local_async' }));
          const ret = await runLowstates(deps, ex, chunks, token);
          const jobs = ret.flatMap((r) => (r && typeof r === 'object' && 'jid' in r ? [{ href: `/jobs/${(r as { jid: string }).jid}` }] : []));
          return sendData(ex, 202, { return: ret, _links: { jobs } });
        }
        const ret = await runLowstates(deps, ex, [{ client: 'local', tgt: sub ?? '*', fun: 'grains.items' }], token);
        return sendData(ex, 200, { return: ret });
      }
      case 'jobs': {
        checkPerms('runner', token);
        if (!sub) return sendData(ex, 200, { return: [await runRunner(master, 'jobs.list_jobs', [], {}, token.name)] });
        const info = await runRunner(master, 'jobs.list_job', [sub], {}, token.name);
        return sendData(ex, 200, { info: [info], return: [master.jobs.returns(sub)] });
      }
      case 'keys': {
        checkPerms('wheel', token);
        const wheel = sub ? runWheel(master, 'key.finger', { match: sub }, token.name) : runWheel(master, 'key.list_all', {}, token.name);
        return sendData(ex, 200, { return: (wheel.data as Record<string, unknown>).return });
      }
      case 'stats':
        return sendData(ex, 200, stats(deps, ex));
      case 'hook': {
        const text = raw.toString('utf8');
        let post: unknown = {};
        try { post = parseBody(ex.req, raw) ?? {}; } catch { post = {}; }
        master.bus.fire(`salt/netapi/hook${sub ? '/' + sub : ''}`, { body: text, post, headers: titleCaseHeaders(ex.req) });
        return sendData(ex, 200, { success: true });
      }
    }
  } catch (e) {
    if (e instanceof HttpError) return sendError(ex, e.status, e.message);
    return sendUnexpected(ex);
  }
}
