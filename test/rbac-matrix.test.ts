/**
 * The RBAC matrix: every route of the OpenAPI document and every page route is called
 * anonymously and as each built-in role, and must answer exactly what the route's declared
 * permission grants that role. A route without a declared permission fails, unless it is on the
 * explicit public list below.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine } from './support/db.ts';
import { useTestApp } from './support/app.ts';
import { signInAdmin, userWithRoles, type TestSession } from './support/auth.ts';
import { openApiDocument, type App } from '../src/main.ts';
import { PAGE_ROUTES } from '../src/auth/access.ts';
import { permits } from '../src/rbac/glob.ts';
import { BUILTIN_ROLES } from '../src/rbac/builtin.ts';

/** The only routes anyone may call without signing in. */
const PUBLIC_ROUTES = new Set(['POST /api/auth/login', 'GET /healthz', 'GET /readyz', 'GET /login']);

/** Routes that end the caller's session get a fresh one for each call. */
const ENDS_SESSION = new Set(['POST /api/auth/logout']);

const SAMPLE_PARAMS: Record<string, string> = { id: '999999', jid: '20000101000000000000', name: 'nosuchpackage' };

interface RouteUnderTest {
  method: string;
  path: string; // with {params}
  access: string; // public | signed_in | verb:resource
  page: boolean;
}

function routesOf(app: App): RouteUnderTest[] {
  const doc = openApiDocument(app) as unknown as { paths: Record<string, Record<string, Record<string, unknown>>> };
  const out: RouteUnderTest[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      out.push({ method: method.toUpperCase(), path, access: String(op['x-halite-permission'] ?? ''), page: false });
    }
  }
  for (const p of PAGE_ROUTES) {
    const access = p.access.kind === 'perm' ? `${p.access.verb}:${p.access.resource}` : p.access.kind;
    out.push({ method: p.method, path: p.path, access, page: true });
  }
  return out;
}

const sample = (name: string) => SAMPLE_PARAMS[name] ?? 'zz-nosuch';
/** Fills `{param}` in an OpenAPI path or a declared resource with a sample value. */
const concrete = (s: string) => s.replace(/\{(\w+)\}/g, (_, n: string) => sample(n));
/** Fills `{param}` and Hono's `:param` (page routes) in a request path. */
const concretePath = (path: string) => concrete(path).replace(/\/:(\w+)/g, (_, n: string) => `/${sample(n)}`);

/** Splits `verb:resource` at the first colon (verbs have none). */
function splitAccess(access: string): { verb: string; resource: string } {
  const i = access.indexOf(':');
  return { verb: access.slice(0, i), resource: access.slice(i + 1) };
}

async function call(app: App, r: RouteUnderTest, session: TestSession | null): Promise<Response> {
  const headers: Record<string, string> = r.page ? { Accept: 'text/html' } : {};
  if (session) Object.assign(headers, { Cookie: session.cookie, 'X-CSRF-Token': session.csrf });
  const init: RequestInit = { method: r.method, headers };
  if (!['GET', 'HEAD'].includes(r.method)) {
    headers['Content-Type'] = 'application/json';
    init.body = '{}';
  }
  return app.request(concretePath(r.path), init);
}

describeEachEngine('RBAC matrix', (engine) => {
  const ctx = useTestApp(engine);
  let routes: RouteUnderTest[] = [];
  const sessions: Record<string, TestSession> = {};
  const fresh: Record<string, () => Promise<TestSession>> = {};

  before(async () => {
    const { app, handle } = ctx();
    routes = routesOf(app);
    sessions.admin = await signInAdmin(app);
    fresh.admin = () => signInAdmin(app);
    let n = 0;
    for (const role of ['operator', 'viewer']) {
      sessions[role] = await userWithRoles(app, handle.db, `matrix-${role}`, [role]);
      fresh[role] = () => userWithRoles(app, handle.db, `matrix-${role}-${++n}`, [role]);
    }
  });

  test('the route list is not empty and includes the pages', () => {
    assert.ok(routes.length > 10, `found ${routes.length} routes`);
    assert.ok(routes.some((r) => r.page));
  });

  test('every route declares a permission; only the explicit list is public', () => {
    for (const r of routes) {
      const key = `${r.method} ${r.path}`;
      assert.ok(r.access, `${key} declares no permission`);
      if (r.access === 'public') assert.ok(PUBLIC_ROUTES.has(key), `${key} is public but not on the public list`);
      else assert.ok(r.access === 'signed_in' || /^[^:]+:.+/.test(r.access), `${key}: odd access ${r.access}`);
    }
  });

  test('anonymous: 401 for the API, a redirect to sign-in for pages', async () => {
    const { app } = ctx();
    for (const r of routes.filter((x) => x.access !== 'public')) {
      const res = await call(app, r, null);
      const key = `${r.method} ${r.path}`;
      if (r.page) {
        assert.equal(res.status, 302, key);
        assert.match(res.headers.get('Location') ?? '', /^\/login\?next=/, key);
      } else {
        assert.equal(res.status, 401, key);
      }
    }
  });

  for (const role of BUILTIN_ROLES.map((r) => r.name)) {
    test(`${role}: exactly the access the role grants`, async () => {
      const { app } = ctx();
      const granted = BUILTIN_ROLES.find((r) => r.name === role)!.permissions;
      for (const r of routes.filter((x) => x.access !== 'public')) {
        const key = `${r.method} ${r.path}`;
        const session = ENDS_SESSION.has(key) ? await fresh[role]() : sessions[role];
        const res = await call(app, r, session);
        if (r.access === 'signed_in') {
          assert.ok(![401, 403].includes(res.status), `${role} ${key}: ${res.status}`);
          continue;
        }
        const { verb, resource } = splitAccess(r.access);
        const allowed = permits(granted, verb, concrete(resource));
        if (allowed) assert.ok(![401, 403].includes(res.status), `${role} should reach ${key}, got ${res.status}`);
        else assert.equal(res.status, 403, `${role} must be refused ${key}, got ${res.status}`);
      }
    });
  }
});
