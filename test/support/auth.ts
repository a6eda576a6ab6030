/**
 * @module
 * Signing in from tests through the real routes, and users made through the real services.
 */
import type { App } from '../../src/main.ts';
import type { Db } from '../../src/db/types.ts';
import { createUser } from '../../src/users/service.ts';
import { PermissionCache } from '../../src/rbac/service.ts';

export interface TestSession {
  cookie: string;
  csrf: string;
  /** Headers for a state-changing JSON request with this session. */
  json: Record<string, string>;
  /** Headers for a read with this session. */
  get: Record<string, string>;
}

/** Signs in with JSON and returns the cookie and the anti-forgery token. */
export async function signInAs(app: App, username: string, password: string, addr = '127.0.0.1'): Promise<TestSession> {
  const res = await app.request(
    '/api/auth/login',
    { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }) },
    { incoming: { socket: { remoteAddress: addr } } },
  );
  if (res.status !== 200) throw new Error(`sign-in as ${username} failed: ${res.status} ${await res.text()}`);
  const cookie = /halite_session=([^;]+)/.exec(res.headers.get('Set-Cookie') ?? '')![0];
  const { csrf_token } = (await res.json()) as { csrf_token: string };
  return {
    cookie,
    csrf: csrf_token,
    json: { Cookie: cookie, 'X-CSRF-Token': csrf_token, 'Content-Type': 'application/json' },
    get: { Cookie: cookie },
  };
}

export const ADMIN_PASSWORD = 'correct-horse-battery-staple';

/** Signs in as the bootstrap admin, changing the initial password the first time. */
export async function signInAdmin(app: App): Promise<TestSession> {
  try {
    return await signInAs(app, 'admin', ADMIN_PASSWORD);
  } catch {
    const first = await signInAs(app, 'admin', 'changeme');
    const res = await app.request('/api/auth/password', {
      method: 'POST',
      headers: first.json,
      body: JSON.stringify({ current_password: 'changeme', new_password: ADMIN_PASSWORD }),
    });
    if (res.status !== 200) throw new Error(`password change failed: ${res.status} ${await res.text()}`);
    return first;
  }
}

/** Creates a user with the given roles (no forced password change) and signs in as them. */
export async function userWithRoles(app: App, db: Db, username: string, roles: string[]): Promise<TestSession> {
  const password = `${username}-password-123`;
  await createUser(db, new PermissionCache(), { username, password, roles, must_change_pw: false });
  return signInAs(app, username, password);
}
