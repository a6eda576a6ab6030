/**
 * @module
 * State results: a pure reading of what a minion returned for a state job (state.apply,
 * state.sls, state.highstate, ...), independent of routes so the run feature can reuse it.
 *
 * Shapes handled (all in the Salt 3007 recordings):
 * - the state dict `{"<mod>_|-<id>_|-<name>_|-<fun>": {name, changes, result, comment, __sls__,
 *   __run_num__, start_time, duration, __id__}}` (local calls, `lookup_jid`'s `data[mid]`);
 * - that dict inside a job-cache result `{return, retcode, success, out}` (`jobs.list_job`,
 *   `GET /jobs/<jid>`) or a full return `{ret, retcode, jid, out}`;
 * - the whole-job outputter wrapper `{outputter: "highstate", data: {mid: ...}}` (`lookup_jid`);
 * - a render error: a list of strings (`["No matching sls found for 'nosuchsls' in env 'base'"]`).
 */

/** How one state ended: `would_change` is `result: null` in test mode. */
export type StateOutcome = 'pass' | 'fail' | 'changed' | 'would_change';

export interface StateResult {
  /** Salt's key, `<mod>_|-<id>_|-<name>_|-<fun>`. */
  key: string;
  id: string;
  /** `file.managed`, `cmd.run`, ... */
  function: string;
  name: string;
  sls: string | null;
  run_num: number | null;
  result: StateOutcome;
  duration_ms: number | null;
  start_time: string | null;
  comment: string;
  changes: unknown;
}

export interface StateCounts {
  total: number;
  pass: number;
  fail: number;
  changed: number;
  would_change: number;
}

export type ParsedReturn =
  | { kind: 'states'; states: StateResult[]; counts: StateCounts }
  | { kind: 'render_error'; errors: string[] }
  | { kind: 'raw' };

const SEP = '_|-';

function isDict(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Removes the job-cache (`{return, retcode, success}`) or full-return (`{ret, retcode, jid}`) envelope. */
export function unwrapMinionReturn(value: unknown): unknown {
  if (!isDict(value)) return value;
  const envelope = 'retcode' in value || 'success' in value || 'out' in value || 'jid' in value;
  if (envelope && 'return' in value) return value.return;
  if (envelope && 'ret' in value) return value.ret;
  return value;
}

/**
 * The per-minion returns of a whole job: unwraps `{outputter, data}` from `jobs.lookup_jid`,
 * leaves a plain `{mid: ret}` as it is.
 */
export function minionReturns(jobReturn: unknown): Record<string, unknown> {
  if (!isDict(jobReturn)) return {};
  if (typeof jobReturn.outputter === 'string' && isDict(jobReturn.data) && Object.keys(jobReturn).length === 2) {
    return jobReturn.data;
  }
  return jobReturn;
}

function isStateEntry(key: string, v: unknown): v is Record<string, unknown> {
  return key.split(SEP).length >= 4 && isDict(v) && 'result' in v;
}

function hasChanges(changes: unknown): boolean {
  if (changes === null || changes === undefined) return false;
  if (isDict(changes)) return Object.keys(changes).length > 0;
  if (Array.isArray(changes)) return changes.length > 0;
  return changes !== '' && changes !== false;
}

function outcome(result: unknown, changes: unknown): StateOutcome {
  if (result === false) return 'fail';
  if (result === null) return 'would_change';
  return hasChanges(changes) ? 'changed' : 'pass';
}

function duration(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  // Older minions report "12.3 ms".
  if (typeof v === 'string') {
    const n = Number.parseFloat(v);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(text).join('\n');
  return JSON.stringify(v);
}

function stateResult(key: string, v: Record<string, unknown>): StateResult {
  // The name part may itself contain `_|-`, so the function is the last part, the id the second.
  const parts = key.split(SEP);
  const mod = parts[0];
  const fun = parts[parts.length - 1];
  const id = typeof v.__id__ === 'string' ? v.__id__ : parts[1];
  const name = typeof v.name === 'string' ? v.name : parts.slice(2, -1).join(SEP);
  return {
    key,
    id,
    function: `${mod}.${fun}`,
    name,
    sls: typeof v.__sls__ === 'string' ? v.__sls__ : null,
    run_num: typeof v.__run_num__ === 'number' ? v.__run_num__ : null,
    result: outcome(v.result, v.changes),
    duration_ms: duration(v.duration),
    start_time: typeof v.start_time === 'string' ? v.start_time : null,
    comment: text(v.comment),
    changes: v.changes ?? {},
  };
}

/** Counts by outcome. */
export function countStates(states: readonly StateResult[]): StateCounts {
  const c: StateCounts = { total: states.length, pass: 0, fail: 0, changed: 0, would_change: 0 };
  for (const s of states) c[s.result]++;
  return c;
}

/** Adds several minions' counts. */
export function sumCounts(all: readonly StateCounts[]): StateCounts {
  const c: StateCounts = { total: 0, pass: 0, fail: 0, changed: 0, would_change: 0 };
  for (const x of all) for (const k of Object.keys(c) as (keyof StateCounts)[]) c[k] += x[k];
  return c;
}

/** Reads one minion's return of a state job. Anything that is not a state shape is `raw`. */
export function parseStateReturn(value: unknown): ParsedReturn {
  const ret = unwrapMinionReturn(value);
  if (Array.isArray(ret)) {
    return ret.length > 0 && ret.every((e) => typeof e === 'string') ? { kind: 'render_error', errors: ret } : { kind: 'raw' };
  }
  if (!isDict(ret)) return { kind: 'raw' };
  const entries = Object.entries(ret);
  if (entries.length === 0 || !entries.every(([k, v]) => isStateEntry(k, v))) return { kind: 'raw' };
  const states = entries
    .map(([k, v]) => stateResult(k, v as Record<string, unknown>))
    .sort((a, b) => (a.run_num ?? Number.MAX_SAFE_INTEGER) - (b.run_num ?? Number.MAX_SAFE_INTEGER));
  return { kind: 'states', states, counts: countStates(states) };
}

/** Failing states first (in run order), then the rest in run order. */
export function failingFirst(states: readonly StateResult[]): StateResult[] {
  return [...states.filter((s) => s.result === 'fail'), ...states.filter((s) => s.result !== 'fail')];
}

/** Whether a minion's parsed return needs attention (a failing state or a render error). */
export function hasFailure(p: ParsedReturn): boolean {
  return p.kind === 'render_error' || (p.kind === 'states' && p.counts.fail > 0);
}

/** Whether a function name runs states (its return is a state dict). */
export function isStateFunction(fn: string): boolean {
  return /^state\.(apply|sls|highstate|top|single|sls_id|template|template_str|high|low|pkg|orchestrate)$/.test(fn);
}
