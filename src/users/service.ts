/**
 * @module
 * Users: listing, creation, changes, password resets, and the bootstrap admin.
 */
import { asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/types.ts';
import { roles, userRoles, users } from '../auth/model.ts';
import { hashPassword, passwordProblem } from '../auth/password.ts';
import { deleteUserSessions } from '../auth/session.ts';
import { countAdmins, roleIdsByName, type PermissionCache } from '../rbac/service.ts';

export interface UserPublic {
  id: number;
  username: string;
  display_name: string;
  enabled: boolean;
  must_change_pw: boolean;
  roles: string[];
  created_at: string;
  last_login_at: string | null;
}

/** A refused change, with the field it concerns (for a 422) or a conflict/not-found code. */
export class UserError extends Error {
  constructor(
    readonly code: 'not_found' | 'conflict' | 'invalid',
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export const BOOTSTRAP_USERNAME = 'admin';
export const BOOTSTRAP_PASSWORD = 'changeme';

/** On an empty users table, creates admin / changeme with must_change_pw. Returns true when it did. */
export async function bootstrapAdmin(db: Db): Promise<boolean> {
  const existing = await db.select({ id: users.id }).from(users).limit(1);
  if (existing.length) return false;
  const passwordHash = await hashPassword(BOOTSTRAP_PASSWORD);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(users)
      .values({ username: BOOTSTRAP_USERNAME, displayName: 'Administrator', passwordHash, mustChangePw: true })
      .onConflictDoNothing()
      .returning({ id: users.id });
    if (!row) return false;
    const [admin] = await tx.select({ id: roles.id }).from(roles).where(eq(roles.name, 'admin'));
    if (!admin) throw new Error('the admin role must be seeded before the bootstrap user');
    await tx.insert(userRoles).values({ userId: row.id, roleId: admin.id });
    return true;
  });
}

export async function listUsers(db: Db): Promise<UserPublic[]> {
  const rows = await db.select().from(users).orderBy(asc(users.username));
  const assignments = await db
    .select({ userId: userRoles.userId, name: roles.name })
    .from(userRoles)
    .innerJoin(roles, eq(roles.id, userRoles.roleId));
  return rows.map((u) => ({
    id: u.id,
    username: u.username,
    display_name: u.displayName,
    enabled: u.enabled,
    must_change_pw: u.mustChangePw,
    roles: assignments.filter((a) => a.userId === u.id).map((a) => a.name).sort(),
    created_at: u.createdAt.toISOString(),
    last_login_at: u.lastLoginAt?.toISOString() ?? null,
  }));
}

export async function getUser(db: Db, id: number): Promise<UserPublic | null> {
  return (await listUsers(db)).find((u) => u.id === id) ?? null;
}

export async function createUser(
  db: Db,
  cache: PermissionCache,
  input: { username: string; display_name?: string; password: string; roles: string[]; must_change_pw?: boolean },
): Promise<UserPublic> {
  const problem = passwordProblem(input.password, input.username);
  if (problem) throw new UserError('invalid', problem, 'password');
  const { ids, unknown } = await roleIdsByName(db, input.roles);
  if (unknown.length) throw new UserError('invalid', `unknown role ${unknown.join(', ')}`, 'roles');
  const passwordHash = await hashPassword(input.password);
  const id = await db.transaction(async (tx) => {
    const taken = await tx.select({ id: users.id }).from(users).where(eq(users.username, input.username));
    if (taken.length) throw new UserError('conflict', `the username ${input.username} is taken`, 'username');
    const [row] = await tx
      .insert(users)
      .values({
        username: input.username,
        displayName: input.display_name ?? '',
        passwordHash,
        mustChangePw: input.must_change_pw ?? true,
      })
      .returning({ id: users.id });
    if (ids.length) await tx.insert(userRoles).values(ids.map((roleId) => ({ userId: row.id, roleId })));
    return row.id;
  });
  cache.invalidate();
  return (await getUser(db, id))!;
}

/** Changes enabled, display name and roles. Refuses to disable or demote the last enabled admin. */
export async function updateUser(
  db: Db,
  cache: PermissionCache,
  id: number,
  patch: { enabled?: boolean; display_name?: string; roles?: string[] },
): Promise<UserPublic> {
  const before = await getUser(db, id);
  if (!before) throw new UserError('not_found', `no user ${id}`);
  let roleIds: number[] | undefined;
  if (patch.roles) {
    const { ids, unknown } = await roleIdsByName(db, patch.roles);
    if (unknown.length) throw new UserError('invalid', `unknown role ${unknown.join(', ')}`, 'roles');
    roleIds = ids;
  }
  const losesAdmin =
    before.roles.includes('admin') && before.enabled && (patch.enabled === false || (patch.roles && !patch.roles.includes('admin')));
  if (losesAdmin && (await countAdmins(db)) <= 1) {
    throw new UserError('invalid', 'this is the last enabled admin: keep at least one', patch.enabled === false ? 'enabled' : 'roles');
  }
  await db.transaction(async (tx) => {
    const set: Partial<typeof users.$inferInsert> = { updatedAt: new Date() };
    if (patch.enabled !== undefined) set.enabled = patch.enabled;
    if (patch.display_name !== undefined) set.displayName = patch.display_name;
    await tx.update(users).set(set).where(eq(users.id, id));
    if (roleIds) {
      await tx.delete(userRoles).where(eq(userRoles.userId, id));
      if (roleIds.length) await tx.insert(userRoles).values(roleIds.map((roleId) => ({ userId: id, roleId })));
    }
  });
  if (patch.enabled === false) await deleteUserSessions(db, id);
  cache.invalidate();
  return (await getUser(db, id))!;
}

/** An admin's reset: sets the password, asks for a change at next sign-in, ends the user's sessions. */
export async function resetPassword(db: Db, id: number, password: string): Promise<UserPublic> {
  const user = await getUser(db, id);
  if (!user) throw new UserError('not_found', `no user ${id}`);
  const problem = passwordProblem(password, user.username);
  if (problem) throw new UserError('invalid', problem, 'password');
  await db
    .update(users)
    .set({ passwordHash: await hashPassword(password), mustChangePw: true, updatedAt: new Date() })
    .where(eq(users.id, id));
  await deleteUserSessions(db, id);
  return (await getUser(db, id))!;
}

/** A user's own change: clears must_change_pw and ends their other sessions. */
export async function changeOwnPassword(db: Db, id: number, newPassword: string, keepSessionId: string): Promise<void> {
  await db
    .update(users)
    .set({ passwordHash: await hashPassword(newPassword), mustChangePw: false, updatedAt: new Date() })
    .where(eq(users.id, id));
  await deleteUserSessions(db, id, keepSessionId);
}

export async function findUserForLogin(db: Db, username: string) {
  const [row] = await db.select().from(users).where(eq(users.username, username)).limit(1);
  return row ?? null;
}

export async function usernamesByIds(db: Db, ids: number[]): Promise<Map<number, string>> {
  if (!ids.length) return new Map();
  const rows = await db.select({ id: users.id, username: users.username }).from(users).where(inArray(users.id, ids));
  return new Map(rows.map((r) => [r.id, r.username]));
}
