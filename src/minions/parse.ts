/**
 * @module
 * From salt-api's answers to what a snapshot row holds: the key lists of wheel key.list_all, the
 * presence map of manage.present, the grains map of cache.grains, and the columns and hashes
 * derived from one minion's grains. Pure functions; the shapes follow the Salt 3007 recordings.
 */
import type { KeyStatus } from './model.ts';

/** Salt's key list names by key status. */
export const KEY_LIST_NAMES: Record<KeyStatus, string> = {
  accepted: 'minions',
  pending: 'minions_pre',
  rejected: 'minions_rejected',
  denied: 'minions_denied',
};

/** The key status a Salt key-list name stands for, or null (`local` holds the master's own keys). */
export function keyStatusOfList(name: string): KeyStatus | null {
  for (const [status, list] of Object.entries(KEY_LIST_NAMES)) if (list === name) return status as KeyStatus;
  return null;
}

/** key.list_all's `{minions, minions_pre, minions_rejected, minions_denied, local}` as id → status. */
export function parseKeyLists(ret: unknown): Map<string, KeyStatus> {
  if (!ret || typeof ret !== 'object' || Array.isArray(ret)) throw new Error('key.list_all: expected a dict of key lists');
  const out = new Map<string, KeyStatus>();
  for (const [name, ids] of Object.entries(ret as Record<string, unknown>)) {
    const status = keyStatusOfList(name);
    if (!status) continue;
    if (!Array.isArray(ids)) throw new Error(`key.list_all: ${name} is not a list`);
    // A key in two lists should not happen; the first status in Salt's own order wins.
    for (const id of ids) if (!out.has(String(id))) out.set(String(id), status);
  }
  return out;
}

/** cache.grains' `{minion_id: grains}`; anything that is not a dict of dicts is refused. */
export function parseGrainsMap(ret: unknown): Map<string, Record<string, unknown>> {
  if (!ret || typeof ret !== 'object' || Array.isArray(ret)) throw new Error('cache.grains: expected a dict of minions');
  const out = new Map<string, Record<string, unknown>>();
  for (const [id, grains] of Object.entries(ret as Record<string, unknown>)) {
    if (grains && typeof grains === 'object' && !Array.isArray(grains)) out.set(id, grains as Record<string, unknown>);
  }
  return out;
}

function text(v: unknown): string | null {
  if (v === null || v === undefined || typeof v === 'object') return null;
  const s = String(v);
  return s === '' ? null : s;
}

function isRoutableIpv4(ip: string): boolean {
  return /^\d+\.\d+\.\d+\.\d+$/.test(ip) && !ip.startsWith('127.') && !ip.startsWith('169.254.');
}

/** The address to show when manage.present gave none: the first non-loopback IPv4 grain. */
export function ipFromGrains(g: Record<string, unknown>): string | null {
  for (const key of ['ipv4', 'fqdn_ip4']) {
    const list = g[key];
    if (Array.isArray(list)) for (const ip of list) if (typeof ip === 'string' && isRoutableIpv4(ip)) return ip;
  }
  return null;
}

/** The columns a minion's grains fill. */
export interface GrainColumns {
  os: string | null;
  osrelease: string | null;
  kernel: string | null;
  saltversion: string | null;
  roles: string[];
}

/** The list columns, read from the usual grains (`roles` may be a list or one string). */
export function grainColumns(g: Record<string, unknown>): GrainColumns {
  const roles = g.roles;
  return {
    os: text(g.os),
    osrelease: text(g.osrelease),
    kernel: text(g.kernel),
    saltversion: text(g.saltversion),
    roles: Array.isArray(roles) ? roles.map(String) : typeof roles === 'string' && roles ? [roles] : [],
  };
}

/** The id, the ip and every distinct scalar grain value, lowercased, for the free-text filter. */
export function searchTextOf(id: string, ip: string | null, g: Record<string, unknown>): string {
  // Each distinct value once: an address or a path repeated across grains costs the LIKE scan
  // (CPU-bound, per byte) without making anything more findable.
  const parts = new Set<string>([id.toLowerCase()]);
  if (ip) parts.add(ip.toLowerCase());
  const walk = (v: unknown, depth: number): void => {
    if (v === null || v === undefined || depth > 6) return;
    if (typeof v === 'object') {
      for (const x of Array.isArray(v) ? v : Object.values(v)) walk(x, depth + 1);
      return;
    }
    parts.add(String(v).toLowerCase());
  };
  walk(g, 0);
  return [...parts].join(' ');
}

