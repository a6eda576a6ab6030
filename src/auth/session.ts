/**
 * @module
 * Sessions: a random token in the `halite_session` cookie; the database keeps only its SHA-256,
 * so a leaked table holds no usable token. Each session has its own anti-forgery token.
 */
import { and, eq, lt, ne } from 'drizzle-orm';
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import type { Db } from '../db/types.ts';
import { sessions, users } from './model.ts';
import type { CurrentUser } from './context.ts';

export const SESSION_COOKIE = 'halite_session';
export const SESSION_LIFETIME_MS = 8 * 60 * 60 * 1000;

function randomToken(): string {
  const bytes = new Uint8Array(20);
  crypto.getRandomValues(bytes);
  return encodeBase32LowerCaseNoPadding(bytes);
}

/** The session id stored for a cookie token. */
export function sessionIdFor(token: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

export interface NewSession {
  token: string;
  id: string;
  csrfToken: string;
  expiresAt: Date;
}

/** Creates a session for `userId`; the returned token goes into the cookie and nowhere else. */
export async function createSession(
  db: Db,
  userId: number,
  meta: { clientAddr?: string | null; userAgent?: string | null; now?: Date },
): Promise<NewSession> {
  const token = randomToken();
  const id = sessionIdFor(token);
  const csrfToken = randomToken();
  const now = meta.now ?? new Date();
  const expiresAt = new Date(now.getTime() + SESSION_LIFETIME_MS);
  await db.insert(sessions).values({
    id,
    userId,
    csrfToken,
    createdAt: now,
    expiresAt,
    clientAddr: meta.clientAddr ?? null,
    userAgent: meta.userAgent?.slice(0, 300) ?? null,
  });
  return { token, id, csrfToken, expiresAt };
}

export interface ValidSession {
  id: string;
  csrfToken: string;
  expiresAt: Date;
  user: CurrentUser;
}

/** Looks up the session for a cookie token; null when unknown, expired, or its user is disabled. */
export async function validateSession(db: Db, token: string, now = new Date()): Promise<ValidSession | null> {
  if (!/^[a-z2-7]{20,64}$/.test(token)) return null;
  const id = sessionIdFor(token);
  const [row] = await db
    .select({
      id: sessions.id,
      csrfToken: sessions.csrfToken,
      expiresAt: sessions.expiresAt,
      userId: users.id,
      username: users.username,
      displayName: users.displayName,
      mustChangePw: users.mustChangePw,
      enabled: users.enabled,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.id, id))
    .limit(1);
  if (!row) return null;
  if (row.expiresAt.getTime() <= now.getTime() || !row.enabled) {
    await db.delete(sessions).where(eq(sessions.id, id));
    return null;
  }
  return {
    id: row.id,
    csrfToken: row.csrfToken,
    expiresAt: row.expiresAt,
    user: { id: row.userId, username: row.username, displayName: row.displayName, mustChangePw: row.mustChangePw },
  };
}

export async function deleteSession(db: Db, id: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, id));
}

/** Ends every session of a user (password reset, disable), optionally keeping one. */
export async function deleteUserSessions(db: Db, userId: number, keepId?: string): Promise<void> {
  await db.delete(sessions).where(and(eq(sessions.userId, userId), keepId ? ne(sessions.id, keepId) : undefined));
}

/** Removes expired sessions (called opportunistically at sign-in). */
export async function purgeExpiredSessions(db: Db, now = new Date()): Promise<void> {
  await db.delete(sessions).where(lt(sessions.expiresAt, now));
}
