/**
 * @module
 * `normalizeEvent()`: from one raw Salt event (`{tag, data}`) to the activity entry Halite keeps,
 * or null. Pure: no clock except the fallback `receivedAt`, no I/O.
 *
 * What is kept (see the recordings, `events*.sse`):
 * - `salt/job/<jid>/new` → `job.new`; `salt/job/<jid>/ret/<mid>` → `job.ret` with an outcome
 *   (`ok`, `changes` or `failed`) read from retcode, success and the state results.
 * - `salt/key` `{act: accept|reject|delete}` → `key.<act>`: the key's state changed.
 * - `salt/auth` `{act: pend}` → `key.pend`: a minion waits for its key to be accepted. (`salt/auth`
 *   with `accept`/`reject` is a minion re-authenticating with a key whose state did not change —
 *   every minion does it after an AES rotation — so it is dropped.)
 * - `salt/minion/<id>/start` → `minion.start`. Salt fires `minion_start` with the same data right
 *   before it; only the namespaced one is kept, so a start is recorded once.
 *
 * Salt's quirks, dropped on purpose:
 * - the bare `<jid>` event (`{minions}`) duplicates `salt/job/<jid>/new`;
 * - `salt/job/<jid>/publish` duplicates it again;
 * - `salt/wheel/<jid>/new|ret` come in two pairs per wheel call (the caller's jid and an inner
 *   one, user `UNKNOWN`); the key changes they cause arrive as `salt/key`, and Halite's own key
 *   poller calls wheel every minute, so keeping them would flood the feed with Halite itself;
 * - `salt/run/<jid>/…` likewise (Halite's job poller is a runner); a runner's own minion jobs
 *   (manage.status fans out test.ping) still arrive as `salt/job/…` and are kept;
 * - `saltutil.find_job` jobs are the master polling minions on behalf of a running job;
 * - `salt/job/error` carries the master's root key in its data: never stored.
 */

export type ActivityCategory = 'job' | 'key' | 'minion';
export type ActivityKind = 'job.new' | 'job.ret' | 'key.accept' | 'key.reject' | 'key.delete' | 'key.pend' | 'minion.start';
export type JobOutcome = 'ok' | 'changes' | 'failed';

export const ACTIVITY_CATEGORIES: readonly ActivityCategory[] = ['job', 'key', 'minion'];
export const ACTIVITY_KINDS: readonly ActivityKind[] = ['job.new', 'job.ret', 'key.accept', 'key.reject', 'key.delete', 'key.pend', 'minion.start'];

/** One kept event, before it has a database id. */
export interface NormalizedEvent {
  kind: ActivityKind;
  category: ActivityCategory;
  tag: string;
  at: Date;
  jid: string | null;
  minion: string | null;
  fun: string | null;
  outcome: JobOutcome | null;
  summary: string;
  data: Record<string, unknown>;
  backfilled: boolean;
}

/** The raw event as the salt client yields it. */
export interface RawSaltEvent {
  tag: string;
  data: Record<string, unknown>;
}

const JOB_NEW = /^salt\/job\/(\d{20})\/new$/;
const JOB_RET = /^salt\/job\/(\d{20})\/ret\/(.+)$/;
const MINION_START = /^salt\/minion\/(.+)\/start$/;
/** Jobs the master runs for itself while a job is in flight. */
const INTERNAL_FUNS = new Set(['saltutil.find_job']);

/** Keeps or drops one Salt event. `receivedAt` is used when the event has no `_stamp`. */
export function normalizeEvent(ev: RawSaltEvent, receivedAt: Date = new Date()): NormalizedEvent | null {
  const { tag, data } = ev;
  const at = stampOf(data) ?? receivedAt;
  let m = JOB_NEW.exec(tag);
  if (m) {
    const fun = str(data.fun);
    if (fun && INTERNAL_FUNS.has(fun)) return null;
    const minions = strings(data.minions);
    const missing = strings(data.missing);
    const tgt = typeof data.tgt === 'string' ? data.tgt : JSON.stringify(data.tgt ?? '');
    return {
      kind: 'job.new', category: 'job', tag, at, jid: m[1]!, minion: null, fun, outcome: null,
      summary: `${fun ?? '?'} on ${tgt} (${minions.length} minion${minions.length === 1 ? '' : 's'})${str(data.user) ? ` by ${str(data.user)}` : ''}`,
      data: { tgt: data.tgt ?? null, tgt_type: str(data.tgt_type), user: str(data.user), arg: data.arg ?? [], minions, missing },
      backfilled: false,
    };
  }
  m = JOB_RET.exec(tag);
  if (m) {
    const fun = str(data.fun);
    if (fun && INTERNAL_FUNS.has(fun)) return null;
    const minion = str(data.id) ?? m[2]!;
    const outcome = jobOutcome(data);
    const states = stateCounts(data.return);
    return {
      kind: 'job.ret', category: 'job', tag, at, jid: m[1]!, minion, fun, outcome,
      summary: `${minion}: ${fun ?? '?'} ${outcome === 'changes' ? 'changed' : outcome}`,
      data: {
        retcode: typeof data.retcode === 'number' ? data.retcode : null,
        success: typeof data.success === 'boolean' ? data.success : null,
        fun_args: data.fun_args ?? [],
        user: str(data.user),
        ...(states ? { states } : {}),
      },
      backfilled: false,
    };
  }
  if (tag === 'salt/key' || tag === 'salt/auth') {
    const act = str(data.act);
    const id = str(data.id);
    if (!id || !act) return null;
    const kept = tag === 'salt/key' ? ['accept', 'reject', 'delete'].includes(act) : act === 'pend';
    if (!kept) return null;
    const kind = `key.${act}` as ActivityKind;
    const words: Record<string, string> = { accept: 'accepted', reject: 'rejected', delete: 'deleted', pend: 'pending' };
    return {
      kind, category: 'key', tag, at, jid: null, minion: id, fun: null, outcome: null,
      summary: `Key ${id} ${words[act]}`,
      data: { act, result: data.result ?? null },
      backfilled: false,
    };
  }
  m = MINION_START.exec(tag);
  if (m) {
    const id = str(data.id) ?? m[1]!;
    return {
      kind: 'minion.start', category: 'minion', tag, at, jid: null, minion: id, fun: null, outcome: null,
      summary: `Minion ${id} started`,
      data: { message: str(data.data) },
      backfilled: false,
    };
  }
  return null;
}

/**
 * A minion's job return classed: `failed` when Salt says so (retcode ≠ 0, success false, a state
 * that failed or a state run that did not render), `changes` when a state changed something,
 * else `ok`.
 */
export function jobOutcome(data: Record<string, unknown>): JobOutcome {
  const retcode = data.retcode;
  if (typeof retcode === 'number' && retcode !== 0) return 'failed';
  if (data.success === false) return 'failed';
  const ret = data.return;
  const fun = str(data.fun) ?? '';
  // A state run that could not render answers a list of error strings instead of results.
  if (fun.startsWith('state.') && Array.isArray(ret) && ret.some((x) => typeof x === 'string')) return 'failed';
  const counts = stateCounts(ret);
  if (counts) {
    if (counts.failed > 0) return 'failed';
    if (counts.changed > 0) return 'changes';
  }
  return 'ok';
}

/** Counts of a state return (`{"<mod>_|-<id>_|-<name>_|-<fun>": {result, changes}}`), or null. */
export function stateCounts(ret: unknown): { ok: number; changed: number; failed: number } | null {
  if (!ret || typeof ret !== 'object' || Array.isArray(ret)) return null;
  // `jobs.lookup_jid`-style wrapper: {outputter, data: {mid: states}} does not reach events, but
  // the highstate outputter can wrap a single minion's results the same way.
  const entries = Object.entries(ret as Record<string, unknown>);
  const states = entries.filter(([k, v]) => k.includes('_|-') && v && typeof v === 'object');
  if (states.length === 0) return null;
  const counts = { ok: 0, changed: 0, failed: 0 };
  for (const [, v] of states) {
    const s = v as { result?: unknown; changes?: unknown };
    if (s.result === false) counts.failed++;
    else if (s.changes && typeof s.changes === 'object' && Object.keys(s.changes).length > 0) counts.changed++;
    else counts.ok++;
  }
  return counts;
}

/** `_stamp` is master-local time without a zone (`2026-11-24T15:31:02.569536`); read as UTC. */
export function stampOf(data: Record<string, unknown>): Date | null {
  const s = data._stamp;
  if (typeof s !== 'string') return null;
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d{1,3})?\d*(Z|[+-]\d{2}:?\d{2})?$/.exec(s);
  if (!m) return null;
  const d = new Date(`${m[1]}${m[2] ?? ''}${m[3] ?? 'Z'}`);
  return Number.isNaN(d.getTime()) ? null : d;
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}
