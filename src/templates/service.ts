/**
 * @module
 * Templates: a user sees their own and every shared one; only the owner changes or deletes one;
 * names are unique per owner. Services take the caller's id and return public shapes.
 */
import { and, asc, eq, or } from 'drizzle-orm';
import type { Db } from '../db/types.ts';
import { users } from '../auth/model.ts';
import { templates, type TemplateRow } from './model.ts';
import { toCommand } from '../run/schemas.ts';
import type { Template, TemplateCreate, TemplateList, TemplateUpdate } from './schemas.ts';

type RowWithOwner = { t: TemplateRow; owner: string | null };

function toTemplate({ t, owner }: RowWithOwner, callerId: number): Template {
  return {
    id: t.id,
    name: t.name,
    description: t.description,
    owner_id: t.ownerId,
    owner: owner ?? '',
    mine: t.ownerId === callerId,
    is_shared: t.isShared,
    target: t.target,
    target_type: t.targetType,
    fun: t.fun,
    args: t.args,
    kwargs: t.kwargs,
    batch: t.batch,
    timeout: t.timeout,
    created_at: t.createdAt.toISOString(),
    updated_at: t.updatedAt.toISOString(),
  };
}

const visibleTo = (callerId: number) => or(eq(templates.ownerId, callerId), eq(templates.isShared, true));

function select(db: Db) {
  return db.select({ t: templates, owner: users.username }).from(templates).leftJoin(users, eq(users.id, templates.ownerId));
}

/** The caller's templates and the shared ones, by name. */
export async function listTemplates(db: Db, callerId: number): Promise<TemplateList> {
  const rows = await select(db).where(visibleTo(callerId)).orderBy(asc(templates.name), asc(templates.id));
  return { data: rows.map((r) => toTemplate(r, callerId)), count: rows.length };
}

/** One template the caller may see, or null. */
export async function getTemplate(db: Db, callerId: number, id: number): Promise<Template | null> {
  const [row] = await select(db).where(and(eq(templates.id, id), visibleTo(callerId)));
  return row ? toTemplate(row, callerId) : null;
}

export type FieldProblem = { field: string; message: string };
export type WriteResult = { ok: true; template: Template } | { ok: false; status: 403 | 404 | 409 | 422; problem: FieldProblem };

async function nameTaken(db: Db, ownerId: number, name: string, exceptId?: number): Promise<boolean> {
  const rows = await db.select({ id: templates.id }).from(templates).where(and(eq(templates.ownerId, ownerId), eq(templates.name, name)));
  return rows.some((r) => r.id !== exceptId);
}

const taken = (name: string): WriteResult => ({ ok: false, status: 409, problem: { field: 'name', message: `you already have a template named "${name}"` } });

/** Saves a new template owned by the caller. */
export async function createTemplate(db: Db, callerId: number, body: TemplateCreate, now: Date): Promise<WriteResult> {
  const cmd = toCommand(body);
  if ('field' in cmd) return { ok: false, status: 422, problem: cmd };
  if (await nameTaken(db, callerId, body.name)) return taken(body.name);
  const [row] = await db
    .insert(templates)
    .values({
      ownerId: callerId,
      name: body.name,
      description: body.description ?? '',
      isShared: body.is_shared ?? false,
      target: cmd.target,
      targetType: cmd.targetType,
      fun: cmd.fun,
      args: cmd.args,
      kwargs: cmd.kwargs,
      batch: cmd.batch,
      timeout: cmd.timeout,
      createdAt: now,
      updatedAt: now,
    })
    .returning({ id: templates.id });
  return { ok: true, template: (await getTemplate(db, callerId, row!.id))! };
}

/** Changes the caller's own template: 404 when they cannot see it, 403 when it is someone else's shared one. */
export async function updateTemplate(db: Db, callerId: number, id: number, patch: TemplateUpdate, now: Date): Promise<WriteResult> {
  const current = await getTemplate(db, callerId, id);
  if (!current) return { ok: false, status: 404, problem: { field: 'id', message: `no template ${id}` } };
  if (!current.mine) return { ok: false, status: 403, problem: { field: 'id', message: `"${current.name}" is shared by ${current.owner}; only its owner can change it` } };
  if (patch.name !== undefined && (await nameTaken(db, callerId, patch.name, id))) return taken(patch.name);
  // The command parts go through the same reading as a run, over the merged fields.
  const merged = toCommand({
    target: patch.target ?? current.target,
    target_type: (patch.target_type ?? current.target_type) as TemplateCreate['target_type'],
    fun: patch.fun ?? current.fun,
    args: patch.args ?? (patch.args_text === undefined ? current.args : undefined),
    kwargs: patch.kwargs ?? (patch.kwargs_text === undefined ? current.kwargs : undefined),
    args_text: patch.args_text,
    kwargs_text: patch.kwargs_text,
    batch: patch.batch === undefined ? (current.batch ?? undefined) : (patch.batch ?? undefined),
    timeout: patch.timeout === undefined ? (current.timeout ?? undefined) : (patch.timeout ?? undefined),
  });
  if ('field' in merged) return { ok: false, status: 422, problem: merged };
  await db
    .update(templates)
    .set({
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.is_shared !== undefined ? { isShared: patch.is_shared } : {}),
      target: merged.target,
      targetType: merged.targetType,
      fun: merged.fun,
      args: merged.args,
      kwargs: merged.kwargs,
      batch: merged.batch,
      timeout: merged.timeout,
      updatedAt: now,
    })
    .where(eq(templates.id, id));
  return { ok: true, template: (await getTemplate(db, callerId, id))! };
}

/** Deletes the caller's own template (same refusals as update). */
export async function deleteTemplate(db: Db, callerId: number, id: number): Promise<WriteResult> {
  const current = await getTemplate(db, callerId, id);
  if (!current) return { ok: false, status: 404, problem: { field: 'id', message: `no template ${id}` } };
  if (!current.mine) return { ok: false, status: 403, problem: { field: 'id', message: `"${current.name}" is shared by ${current.owner}; only its owner can delete it` } };
  await db.delete(templates).where(eq(templates.id, id));
  return { ok: true, template: current };
}
