/** @module Query strings for the minion list's links (chips, pager, sort, exports). */
import type { MinionQuery } from '../../src/minions/schemas.ts';

/** The filters (and sort) of a list query, as they appear in the URL; defaults are left out. */
export type ListParams = Partial<Record<'key_status' | 'present' | 'os' | 'saltversion' | 'role' | 'q' | 'sort' | 'limit' | 'offset' | 'format', string>>;

/** The URL parameters of a parsed query. */
export function paramsOf(q: MinionQuery): ListParams {
  const p: ListParams = {};
  if (q.key_status) p.key_status = q.key_status;
  if (q.present !== undefined) p.present = String(q.present);
  if (q.os) p.os = q.os;
  if (q.saltversion) p.saltversion = q.saltversion;
  if (q.role) p.role = q.role;
  if (q.q) p.q = q.q;
  if (q.sort !== 'id') p.sort = q.sort;
  if (q.limit !== 50) p.limit = String(q.limit);
  if (q.offset) p.offset = String(q.offset);
  return p;
}

/** `path?query` with some parameters changed (undefined removes one). */
export function hrefWith(path: string, p: ListParams, change: ListParams = {}): string {
  const merged: ListParams = { ...p, ...change };
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(merged)) if (v !== undefined && v !== '') s.set(k, v);
  const qs = s.toString();
  return qs ? `${path}?${qs}` : path;
}
