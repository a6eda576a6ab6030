/**
 * @module
 * Roles and their permissions; the permission set of a user, cached per session and dropped
 * whenever roles or role assignments change.
 */
import { and, asc, count, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/types.ts';
import { rolePermissions, roles, userRoles, users } from '../auth/model.ts';
import type { Permission } from '../auth/context.ts';
import { BUILTIN_ROLES } from './builtin.ts';

/** A role as the API shows it. */
export interface RolePublic {
  id: number;
  name: string;
  description: string;
  builtin: boolean;
  permissions: Permission[];
}

/**
 * Permission sets by session id. A change to any role or assignment bumps `generation`, which
 * invalidates every entry at once: changes are rare, and a stale grant is the one bug we can't have.
 */
export class PermissionCache {
  #generation = 0;
  readonly #entries = new Map<string, { generation: number; permissions: Permission[] }>();

  get(sessionId: string): Permission[] | undefined {
    const e = this.#entries.get(sessionId);
    return e && e.generation === this.#generation ? e.permissions : undefined;
  }
  set(sessionId: string, permissions: Permission[]): void {
    if (this.#entries.size > 10_000) this.#entries.clear();
    this.#entries.set(sessionId, { generation: this.#generation, permissions });
  }
  invalidate(): void {
    this.#generation++;
    this.#entries.clear();
  }
}

/** The union of the permissions of a user's roles. */
export async function permissionsOfUser(db: Db, userId: number): Promise<Permission[]> {
  const rows = await db
    .selectDistinct({ verb: rolePermissions.verb, resource: rolePermissions.resourceGlob })
    .from(userRoles)
    .innerJoin(rolePermissions, eq(rolePermissions.roleId, userRoles.roleId))
    .where(eq(userRoles.userId, userId));
  return rows;
}

/** Creates the built-in roles if missing and resets their permissions. Safe to run at every boot. */
export async function seedBuiltinRoles(db: Db): Promise<void> {
  await db.transaction(async (tx) => {
    for (const role of BUILTIN_ROLES) {
      await tx
        .insert(roles)
        .values({ name: role.name, description: role.description, builtin: true })
        .onConflictDoUpdate({ target: roles.name, set: { description: role.description, builtin: true } });
      const [row] = await tx.select({ id: roles.id }).from(roles).where(eq(roles.name, role.name));
      await tx.delete(rolePermissions).where(eq(rolePermissions.roleId, row.id));
      await tx
        .insert(rolePermissions)
        .values(role.permissions.map((p) => ({ roleId: row.id, verb: p.verb, resourceGlob: p.resource })));
    }
  });
}

export async function listRoles(db: Db): Promise<RolePublic[]> {
  const rs = await db.select().from(roles).orderBy(asc(roles.builtin), asc(roles.name));
  const perms = await db.select().from(rolePermissions).orderBy(asc(rolePermissions.id));
  return rs
    .map((r) => ({
      id: r.id,
      name: r.name,
      description: r.description,
      builtin: r.builtin,
      permissions: perms.filter((p) => p.roleId === r.id).map((p) => ({ verb: p.verb, resource: p.resourceGlob })),
    }))
    .sort((a, b) => Number(b.builtin) - Number(a.builtin) || a.name.localeCompare(b.name));
}

export async function getRole(db: Db, id: number): Promise<RolePublic | null> {
  return (await listRoles(db)).find((r) => r.id === id) ?? null;
}

export class RoleError extends Error {
  constructor(
    readonly code: 'not_found' | 'conflict' | 'builtin',
    message: string,
  ) {
    super(message);
  }
}

export async function createRole(
  db: Db,
  cache: PermissionCache,
  input: { name: string; description?: string; permissions: Permission[] },
): Promise<RolePublic> {
  const id = await db.transaction(async (tx) => {
    const existing = await tx.select({ id: roles.id }).from(roles).where(eq(roles.name, input.name));
    if (existing.length) throw new RoleError('conflict', `a role named ${input.name} exists`);
    const [row] = await tx
      .insert(roles)
      .values({ name: input.name, description: input.description ?? '', builtin: false })
      .returning({ id: roles.id });
    if (input.permissions.length) {
      await tx
        .insert(rolePermissions)
        .values(dedupe(input.permissions).map((p) => ({ roleId: row.id, verb: p.verb, resourceGlob: p.resource })));
    }
    return row.id;
  });
  cache.invalidate();
  return (await getRole(db, id))!;
}

/** Replaces a custom role's permissions. Built-in roles are fixed (they are reset at every boot). */
export async function setRolePermissions(
  db: Db,
  cache: PermissionCache,
  id: number,
  permissions: Permission[],
): Promise<RolePublic> {
  await db.transaction(async (tx) => {
    const [role] = await tx.select().from(roles).where(eq(roles.id, id));
    if (!role) throw new RoleError('not_found', `no role ${id}`);
    if (role.builtin) throw new RoleError('builtin', `the built-in role ${role.name} cannot be changed`);
    await tx.delete(rolePermissions).where(eq(rolePermissions.roleId, id));
    if (permissions.length) {
      await tx
        .insert(rolePermissions)
        .values(dedupe(permissions).map((p) => ({ roleId: id, verb: p.verb, resourceGlob: p.resource })));
    }
  });
  cache.invalidate();
  return (await getRole(db, id))!;
}

export async function deleteRole(db: Db, cache: PermissionCache, id: number): Promise<RolePublic> {
  const role = await getRole(db, id);
  if (!role) throw new RoleError('not_found', `no role ${id}`);
  if (role.builtin) throw new RoleError('builtin', `the built-in role ${role.name} cannot be deleted`);
  await db.delete(roles).where(and(eq(roles.id, id), eq(roles.builtin, false)));
  cache.invalidate();
  return role;
}

/** Role ids by name; unknown names are reported, not ignored. */
export async function roleIdsByName(db: Db, names: string[]): Promise<{ ids: number[]; unknown: string[] }> {
  if (names.length === 0) return { ids: [], unknown: [] };
  const rows = await db.select({ id: roles.id, name: roles.name }).from(roles).where(inArray(roles.name, names));
  return { ids: rows.map((r) => r.id), unknown: names.filter((n) => !rows.some((r) => r.name === n)) };
}

/** How many enabled users hold the admin role (to refuse removing the last one). */
export async function countAdmins(db: Db): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(userRoles)
    .innerJoin(roles, eq(roles.id, userRoles.roleId))
    .innerJoin(users, eq(users.id, userRoles.userId))
    .where(and(eq(roles.name, 'admin'), eq(users.enabled, true)));
  return row?.n ?? 0;
}

function dedupe(perms: Permission[]): Permission[] {
  const seen = new Set<string>();
  return perms.filter((p) => {
    const k = `${p.verb}\u0000${p.resource}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
