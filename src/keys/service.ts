/**
 * @module
 * Minion keys: the list with fingerprints (live wheel key.finger, or the snapshot when Salt is
 * unavailable) and the live key decisions (accept, reject, delete), each applied to the minion
 * snapshot at once. Salt answers key.accept and key.reject with the matched keys' statuses
 * *after* the call, so success is read from that answer, never assumed.
 */
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../db/types.ts';
import type { SaltApiClient } from '../salt/client.ts';
import { SaltApiError, SaltApiUnavailable } from '../salt/errors.ts';
import { minionSnapshots, type KeyStatus } from '../minions/model.ts';
import { keyStatusOfList } from '../minions/parse.ts';
import { applyKeyStatuses } from '../minions/key-sync.ts';
import type { KeyActionName, KeyActionResult, KeyEntry, KeyList } from './schemas.ts';

/** The wheel calls this module makes (a SaltApiClient, or a fake in tests). */
export type KeySource = Pick<SaltApiClient, 'wheelCall'>;

function emptyList(source: KeyList['source'], message: string | null): KeyList {
  return { source, message, accepted: [], pending: [], rejected: [], denied: [] };
}

/** key.finger's `{minions: {id: fp}, minions_pre: {...}, ..., local: {...}}` as a key list. */
export function parseFingerprints(ret: unknown): KeyList {
  const out = emptyList('live', null);
  if (!ret || typeof ret !== 'object') return out;
  for (const [name, keys] of Object.entries(ret as Record<string, unknown>)) {
    const status = keyStatusOfList(name);
    if (!status || !keys || typeof keys !== 'object') continue;
    for (const [id, fp] of Object.entries(keys as Record<string, unknown>)) out[status].push({ id, status, fingerprint: String(fp) });
  }
  for (const s of ['accepted', 'pending', 'rejected', 'denied'] as const) out[s].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return out;
}

/** key.name_match / key.accept / key.reject answers (`{minions: [ids], minions_pre: [...]}`) as id → status. */
export function parseKeyMatch(ret: unknown): Map<string, KeyStatus> {
  const out = new Map<string, KeyStatus>();
  if (!ret || typeof ret !== 'object') return out;
  for (const [name, ids] of Object.entries(ret as Record<string, unknown>)) {
    const status = keyStatusOfList(name);
    if (status && Array.isArray(ids)) for (const id of ids) out.set(String(id), status);
  }
  return out;
}

async function snapshotKeys(db: Db, masterId: string, message: string): Promise<KeyList> {
  const t = minionSnapshots;
  const rows = await db.select({ id: t.id, status: t.keyStatus }).from(t).where(eq(t.masterId, masterId)).orderBy(asc(t.id));
  const out = emptyList('snapshot', message);
  for (const r of rows) out[r.status].push({ id: r.id, status: r.status, fingerprint: null } satisfies KeyEntry);
  return out;
}

/**
 * Every key by status with its fingerprint, read live; when Salt is missing or failing, the
 * snapshot's statuses (without fingerprints) and why.
 */
export async function listKeys(db: Db, masterId: string, salt: KeySource | null, unavailable: string): Promise<KeyList> {
  if (!salt) return snapshotKeys(db, masterId, unavailable);
  try {
    return parseFingerprints(await salt.wheelCall('key.finger', { match: '*' }));
  } catch (e) {
    if (e instanceof SaltApiUnavailable || e instanceof SaltApiError) return snapshotKeys(db, masterId, `Salt did not answer (${e.message}); showing the last poll.`);
    throw e;
  }
}

const TARGET: Record<Exclude<KeyActionName, 'delete'>, KeyStatus> = { accept: 'accepted', reject: 'rejected' };

function reasonFor(action: KeyActionName, status: KeyStatus | null): string {
  if (status === null) return 'no such key';
  if (action === 'accept' && status === 'denied') return 'a denied key cannot be accepted: delete it, and accept the key the minion submits again';
  if (action === 'reject' && status === 'denied') return 'the key is denied: delete it instead';
  return `the key stayed ${status}`;
}

/**
 * Accepts, rejects or deletes keys by exact id (ids never hold glob characters: the routes refuse
 * them). Accept also takes rejected keys; reject also takes accepted keys (`include_accepted`:
 * without it Salt silently leaves an accepted key alone). The snapshot follows at once.
 */
export async function keyAction(db: Db, masterId: string, salt: KeySource, action: KeyActionName, ids: string[], now: Date): Promise<KeyActionResult> {
  const unique = [...new Set(ids)];
  const match = unique.length === 1 ? unique[0]! : unique;
  if (action === 'delete') {
    // key.delete answers {} whether or not a key matched: ask first, so an unknown id is reported.
    const before = parseKeyMatch(await salt.wheelCall('key.name_match', { match }));
    if (before.size > 0) await salt.wheelCall('key.delete', { match: unique.filter((id) => before.has(id)) });
    const changed = unique.filter((id) => before.has(id)).map((id) => ({ id, status: null }));
    const unchanged = unique.filter((id) => !before.has(id)).map((id) => ({ id, status: null, reason: 'no such key' }));
    await applyKeyStatuses(db, masterId, new Map(changed.map((c) => [c.id, null])), now);
    return { action, changed, unchanged };
  }
  const kwarg = action === 'accept' ? { match, include_rejected: true } : { match, include_accepted: true };
  const reply = parseKeyMatch(await salt.wheelCall(`key.${action}`, kwarg));
  const after = new Map(unique.map((id) => [id, reply.get(id) ?? null]));
  const target = TARGET[action];
  const changed = unique.filter((id) => after.get(id) === target).map((id) => ({ id, status: target }));
  const unchanged = unique
    .filter((id) => after.get(id) !== target)
    .map((id) => ({ id, status: after.get(id) ?? null, reason: reasonFor(action, after.get(id) ?? null) }));
  await applyKeyStatuses(db, masterId, new Map(changed.map((c) => [c.id, c.status])), now);
  return { action, changed, unchanged };
}

/** How many keys wait for a decision, from the snapshot (the navigation's badge). */
export async function pendingKeyCount(db: Db, masterId: string): Promise<number> {
  const t = minionSnapshots;
  const rows = await db.$count(t, and(eq(t.masterId, masterId), eq(t.keyStatus, 'pending')));
  return Number(rows);
}
