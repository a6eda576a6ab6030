/**
 * @module
 * Signing in and changing one's own password.
 */
import { eq } from 'drizzle-orm';
import type { Db } from '../db/types.ts';
import { users } from './model.ts';
import { passwordProblem, verifyPassword } from './password.ts';
import { createSession, purgeExpiredSessions, type NewSession } from './session.ts';
import type { LoginThrottle } from './throttle.ts';
import { changeOwnPassword, findUserForLogin } from '../users/service.ts';
import { permissionsOfUser } from '../rbac/service.ts';
import type { Permission } from './context.ts';

export type SignInResult =
  | { ok: true; session: NewSession; user: { id: number; username: string; mustChangePw: boolean } }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'throttled'; retryAfter: number };

export async function signIn(
  db: Db,
  throttle: LoginThrottle,
  input: { username: string; password: string; clientAddr: string; userAgent?: string | null; now?: Date },
): Promise<SignInResult> {
  const now = input.now ?? new Date();
  const wait = throttle.retryAfter(input.username, input.clientAddr, now.getTime());
  if (wait > 0) return { ok: false, reason: 'throttled', retryAfter: wait };
  const user = await findUserForLogin(db, input.username);
  // Unknown and disabled users pay for a hash too, so timing does not tell them apart.
  const valid = await verifyPassword(user && user.enabled ? user.passwordHash : null, input.password);
  if (!user || !user.enabled || !valid) {
    throttle.recordFailure(input.username, input.clientAddr, now.getTime());
    return { ok: false, reason: 'invalid' };
  }
  throttle.recordSuccess(input.username);
  await purgeExpiredSessions(db, now);
  const session = await createSession(db, user.id, { clientAddr: input.clientAddr, userAgent: input.userAgent, now });
  await db.update(users).set({ lastLoginAt: now }).where(eq(users.id, user.id));
  return { ok: true, session, user: { id: user.id, username: user.username, mustChangePw: user.mustChangePw } };
}

export type PasswordChangeResult = { ok: true } | { ok: false; field: 'current_password' | 'new_password'; message: string };

export async function changePassword(
  db: Db,
  input: { userId: number; username: string; sessionId: string; current: string; next: string },
): Promise<PasswordChangeResult> {
  const user = await findUserForLogin(db, input.username);
  if (!user || !(await verifyPassword(user.passwordHash, input.current))) {
    return { ok: false, field: 'current_password', message: 'is not your current password' };
  }
  const problem = passwordProblem(input.next, input.username);
  if (problem) return { ok: false, field: 'new_password', message: problem };
  if (input.next === input.current) return { ok: false, field: 'new_password', message: 'must differ from the current password' };
  await changeOwnPassword(db, input.userId, input.next, input.sessionId);
  return { ok: true };
}

export interface MePublic {
  id: number;
  username: string;
  display_name: string;
  must_change_pw: boolean;
  permissions: Permission[];
  csrf_token: string;
}

/** The `me` shape for a user who just signed in. */
export async function describeMe(db: Db, userId: number, csrfToken: string): Promise<MePublic> {
  const [u] = await db.select().from(users).where(eq(users.id, userId));
  return {
    id: u.id,
    username: u.username,
    display_name: u.displayName,
    must_change_pw: u.mustChangePw,
    permissions: await permissionsOfUser(db, userId),
    csrf_token: csrfToken,
  };
}
