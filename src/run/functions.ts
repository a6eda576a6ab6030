/**
 * @module
 * The Salt function names for the run form's autocomplete (`sys.list_functions`) and each
 * function's documentation (`sys.doc`). Both are execution functions, so they run on a minion:
 * one accepted, present minion from the snapshot is asked (never `*`, which would publish to the
 * whole fleet for a list that is the same everywhere). Answers are cached per Salt client for ten
 * minutes, so typing in the form does not reach Salt; a settings reload makes a new client and so
 * a fresh cache.
 */
import { and, asc, desc, eq } from 'drizzle-orm';
import type { Db } from '../db/types.ts';
import { minionSnapshots } from '../minions/model.ts';
import type { FunctionDoc, FunctionList } from './schemas.ts';

export const FUNCTIONS_TTL_MS = 10 * 60 * 1000;

/** What this module needs from SaltApiClient. */
export interface FunctionsSalt {
  localCall(tgt: string | string[], fun: string, o?: { arg?: unknown[]; timeout?: number }): Promise<Record<string, unknown>>;
}

/** No accepted minion is known, or none answered: there is nobody to ask. */
export class NoMinionToAsk extends Error {}

interface CacheEntry {
  list: FunctionList | null;
  listAt: number;
  docs: Map<string, { doc: FunctionDoc; at: number }>;
}

const caches = new WeakMap<object, CacheEntry>();

function entryFor(salt: object): CacheEntry {
  let e = caches.get(salt);
  if (!e) caches.set(salt, (e = { list: null, listAt: 0, docs: new Map() }));
  return e;
}

/** Up to three accepted minions to ask, present ones first. */
async function candidates(db: Db, masterId: string): Promise<string[]> {
  const rows = await db
    .select({ id: minionSnapshots.id })
    .from(minionSnapshots)
    .where(and(eq(minionSnapshots.masterId, masterId), eq(minionSnapshots.keyStatus, 'accepted')))
    .orderBy(desc(minionSnapshots.present), asc(minionSnapshots.id))
    .limit(3);
  return rows.map((r) => r.id);
}

/** Runs `fun` on the first candidate that answers; the answer and who gave it. */
async function askOne(db: Db, masterId: string, salt: FunctionsSalt, fun: string, arg: unknown[]): Promise<{ value: unknown; asked: string }> {
  const ids = await candidates(db, masterId);
  if (ids.length === 0) throw new NoMinionToAsk('No accepted minion is known yet to ask for the function list.');
  for (const id of ids) {
    const ret = await salt.localCall(id, fun, { arg, timeout: 10 });
    if (id in ret) return { value: ret[id], asked: id };
  }
  throw new NoMinionToAsk(`None of ${ids.join(', ')} answered ${fun}.`);
}

export interface FunctionsDeps {
  db: Db;
  masterId: string;
  salt: FunctionsSalt;
  now: () => number;
}

/** Every function name a minion offers, sorted; cached ten minutes. */
export async function listFunctions(deps: FunctionsDeps): Promise<FunctionList> {
  const e = entryFor(deps.salt);
  if (e.list && deps.now() - e.listAt < FUNCTIONS_TTL_MS) return e.list;
  const { value, asked } = await askOne(deps.db, deps.masterId, deps.salt, 'sys.list_functions', []);
  const names = Array.isArray(value) ? [...new Set(value.map(String))].sort() : [];
  e.list = { data: names, count: names.length, asked, cached_at: new Date(deps.now()).toISOString() };
  e.listAt = deps.now();
  return e.list;
}

/** One function's docstring (null when the minion has none); cached ten minutes. */
export async function functionDoc(deps: FunctionsDeps, name: string): Promise<FunctionDoc> {
  const e = entryFor(deps.salt);
  const hit = e.docs.get(name);
  if (hit && deps.now() - hit.at < FUNCTIONS_TTL_MS) return hit.doc;
  const { value, asked } = await askOne(deps.db, deps.masterId, deps.salt, 'sys.doc', [name]);
  const docs = value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  const text = docs[name];
  const doc: FunctionDoc = { name, doc: typeof text === 'string' ? text : null, asked };
  if (e.docs.size > 2000) e.docs.clear();
  e.docs.set(name, { doc, at: deps.now() });
  return doc;
}
