/**
 * @module
 * The audit log: every authorization decision and every action, with who, from where, the request
 * id, a redacted payload and the Salt jid when a job was started. Secrets never reach a row: the
 * payload passes through `redact()` and callers never pass tokens.
 */
import { and, desc, eq, gte, lte, type SQL } from 'drizzle-orm';
import type { Context } from 'hono';
import type { Db } from '../db/types.ts';
import { auditLog } from '../auth/model.ts';
import { redact } from '../log.ts';
import type { AppEnv } from '../http/env.ts';

export type AuditDecision = 'allow' | 'deny' | 'ok' | 'error';

export interface AuditEntry {
  action: string;
  resource?: string;
  decision: AuditDecision;
  payload?: unknown;
  jid?: string | null;
  detail?: string | null;
  /** Overrides for entries written outside a signed-in request (e.g. a failed sign-in). */
  userId?: number | null;
  username?: string | null;
}

export interface AuditRow {
  id: number;
  at: string;
  user_id: number | null;
  username: string | null;
  action: string;
  resource: string;
  decision: string;
  request_id: string | null;
  client_addr: string | null;
  payload: unknown;
  jid: string | null;
  detail: string | null;
}

/** The client address as seen by the server (the socket peer, via the runtime's conninfo). */
export function clientAddr(c: Context): string {
  return (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress ?? 'unknown';
}

/** Writes one audit row for the current request. Failure to audit is logged, never swallowed silently. */
export async function audit(c: Context<AppEnv>, entry: AuditEntry): Promise<void> {
  const user = c.var.auth?.user ?? null;
  try {
    await c.var.deps.db.insert(auditLog).values({
      userId: entry.userId !== undefined ? entry.userId : (user?.id ?? null),
      username: entry.username !== undefined ? entry.username : (user?.username ?? null),
      action: entry.action,
      resource: entry.resource ?? '',
      decision: entry.decision,
      requestId: c.var.requestId ?? null,
      clientAddr: clientAddr(c),
      payload: entry.payload === undefined ? null : redact(entry.payload),
      jid: entry.jid ?? null,
      detail: entry.detail ?? null,
    });
  } catch (e) {
    c.var.log?.error('audit write failed', { action: entry.action, error: (e as Error).message });
    throw e;
  }
}

export interface AuditQuery {
  user_id?: number;
  action?: string;
  decision?: string;
  since?: Date;
  until?: Date;
  limit: number;
  offset: number;
}

export async function listAudit(db: Db, q: AuditQuery): Promise<{ data: AuditRow[]; limit: number; offset: number }> {
  const where: SQL[] = [];
  if (q.user_id !== undefined) where.push(eq(auditLog.userId, q.user_id));
  if (q.action) where.push(eq(auditLog.action, q.action));
  if (q.decision) where.push(eq(auditLog.decision, q.decision));
  if (q.since) where.push(gte(auditLog.at, q.since));
  if (q.until) where.push(lte(auditLog.at, q.until));
  const rows = await db
    .select()
    .from(auditLog)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(q.limit)
    .offset(q.offset);
  return {
    data: rows.map((r) => ({
      id: r.id,
      at: r.at.toISOString(),
      user_id: r.userId,
      username: r.username,
      action: r.action,
      resource: r.resource,
      decision: r.decision,
      request_id: r.requestId,
      client_addr: r.clientAddr,
      payload: r.payload,
      jid: r.jid,
      detail: r.detail,
    })),
    limit: q.limit,
    offset: q.offset,
  };
}
