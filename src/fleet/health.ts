/**
 * @module
 * A minion's health from one state run's return, using the jobs feature's state result parser:
 * a failing state makes it unhealthy, a render or compile error (a list of strings, or a string
 * in place of the state dict) blocked, changes make it changed, otherwise healthy.
 */
import { parseStateReturn } from '../jobs/state-results.ts';
import type { RunOutcome } from './model.ts';

export interface RunHealth {
  outcome: RunOutcome;
  total: number;
  passed: number;
  changed: number;
  failed: number;
  failingStates: string[];
  errors: string[];
}

/** Most error lines kept per minion. */
const MAX_ERRORS = 5;

/** Reads one minion's return of a state job; null when it says nothing about states. */
export function healthOfReturn(value: unknown): RunHealth | null {
  const parsed = parseStateReturn(value);
  if (parsed.kind === 'render_error') {
    return { outcome: 'blocked', total: 0, passed: 0, changed: 0, failed: 0, failingStates: [], errors: parsed.errors.slice(0, MAX_ERRORS) };
  }
  if (parsed.kind === 'raw') {
    // A string instead of the state dict: the state system did not run ("'state.apply' is not
    // available.", "Passed invalid arguments ..."), so nothing was applied.
    const ret = value && typeof value === 'object' && 'return' in value ? (value as { return: unknown }).return : value;
    return typeof ret === 'string' && ret.trim()
      ? { outcome: 'blocked', total: 0, passed: 0, changed: 0, failed: 0, failingStates: [], errors: [ret.slice(0, 2000)] }
      : null;
  }
  const { counts, states } = parsed;
  const failingStates = [...new Set(states.filter((s) => s.result === 'fail').map((s) => s.id))];
  const changed = counts.changed + counts.would_change;
  const outcome: RunOutcome = counts.fail > 0 ? 'unhealthy' : changed > 0 ? 'changed' : 'healthy';
  return { outcome, total: counts.total, passed: counts.pass, changed, failed: counts.fail, failingStates, errors: [] };
}

/** Whether a job's recorded Arguments ran in test mode (`test=True` passed as a kwarg). */
export function isTestRun(args: readonly unknown[]): boolean {
  return args.some((a) => {
    if (typeof a === 'string') return /^test=(true|1|yes)$/i.test(a);
    if (!a || typeof a !== 'object' || Array.isArray(a)) return false;
    const t = (a as Record<string, unknown>).test;
    return t === true || (typeof t === 'string' && /^(true|1|yes)$/i.test(t));
  });
}
