/**
 * @module
 * The dangerous functions: running one needs an explicit confirmation, checked on the server.
 * Patterns are shell globs over the function name. State functions are dangerous unless they run
 * with `test=True` (a dry run changes nothing). The list lives here until Settings grows a field
 * for it; `dangerReason(fun, args, kwargs, extra)` takes an extra list so that field can be added
 * without touching the callers.
 */
import { globMatch } from '../rbac/glob.ts';

/** Functions that change or stop minions, or run arbitrary code. */
export const DEFAULT_DANGEROUS_FUNCTIONS: readonly string[] = [
  'cmd.*',
  'saltutil.*',
  'system.*',
  'state.apply',
  'state.highstate',
  'state.sls',
  'state.sls_id',
  'state.single',
  'state.top',
  'state.template',
  'state.template_str',
  'state.high',
  'state.low',
  'pkg.install',
  'pkg.remove',
  'pkg.purge',
  'pkg.upgrade',
  'service.stop',
  'service.restart',
  'service.disable',
  'file.remove',
  'file.delete_key',
  'user.delete',
  'cp.push',
  'grains.setval',
  'grains.delval',
  'event.fire_master',
];

/** State functions that honour `test=True`. */
const STATE_FUNCTION = /^state\./;

function isTrue(v: unknown): boolean {
  return v === true || (typeof v === 'string' && /^(true|yes|1)$/i.test(v));
}

/** Whether the call is a state dry run: `test=True` as a keyword or as a `test=True` argument. */
export function isDryRun(args: readonly unknown[], kwargs: Readonly<Record<string, unknown>>): boolean {
  if (isTrue(kwargs.test)) return true;
  return args.some((a) => typeof a === 'string' && /^test\s*=\s*(true|yes|1)$/i.test(a.trim()));
}

/** Why the call needs a confirmation, or null when it does not. */
export function dangerReason(
  fun: string,
  args: readonly unknown[],
  kwargs: Readonly<Record<string, unknown>>,
  patterns: readonly string[] = DEFAULT_DANGEROUS_FUNCTIONS,
): string | null {
  // `*` in these globs must cross dots but never needs to cross `:`, which a function name lacks.
  const hit = patterns.find((p) => globMatch(p, fun));
  if (!hit) return null;
  if (STATE_FUNCTION.test(fun) && isDryRun(args, kwargs)) return null;
  if (STATE_FUNCTION.test(fun)) return `${fun} changes minions unless run with test=True`;
  return `${fun} is on the list of dangerous functions (${hit})`;
}
