/**
 * @module sim/execution
 * The execution modules a simulated minion runs: test.*, grains.*, pillar.*, cmd.*, state.*,
 * saltutil.*, pkg.*, sys.*. Each returns Salt's value plus the retcode/success the job cache and
 * `full_return` expose. An unknown function gives the recorded "'x' is not available." string.
 */
import type { SimFleet } from './fleet.ts';
import type { JobCache, SimJob } from './jobs.ts';
import { hash32 } from './prng.ts';
import { runShell } from './shell.ts';
import { runStates } from './states.ts';

/** What the master lends a minion function. */
export interface MinionContext {
  fleet: SimFleet;
  jobs: JobCache;
  now(): number;
  /** Kills the job on the minion (cancels its pending return); returns Salt's message or ''. */
  killJob(mid: string, jid: string): string;
}

/** A minion function's outcome. */
export interface ExecResult { return: unknown; retcode: number; out?: string; durationMs?: number }

const SLEEP_DOC = `Instruct the minion to initiate a process that will sleep for a given
    period of time.

    CLI Example:

    .. code-block:: bash

        salt '*' test.sleep 20
    `;

/** Docstrings for sys.doc (first lines of the real ones). */
const DOCS: Record<string, string> = {
  'test.ping': "Used to make sure the minion is up and responding. Not an ICMP ping.\n\n    Returns ``True``.\n\n    CLI Example:\n\n    .. code-block:: bash\n\n        salt '*' test.ping\n    ",
  'test.version': 'Return the version of salt on the minion', 'test.sleep': SLEEP_DOC,
  'test.arg': 'Print out the data passed into the function ``*args`` and ``kwargs``, this\n    is used to both test the publication data and cli argument passing, but\n    also to display the information available within the publication data.',
  'test.echo': 'Return a string - used for testing the connection',
  'grains.items': 'Return all of the minion\'s grains', 'grains.item': 'Return one or more grains', 'grains.get': 'Attempt to retrieve the named value from grains',
  'grains.ls': 'Return a list of all available grains', 'pillar.items': 'Calls the master for a fresh pillar and generates the pillar data on the fly',
  'pillar.get': 'Attempt to retrieve the named value from the pillar', 'cmd.run': 'Execute the passed command and return the output as a string',
  'cmd.run_all': 'Execute the passed command and return a dict of return data', 'cmd.retcode': 'Execute a shell command and return the command\'s return code.',
  'cmd.shell': 'Execute the passed command and return the output as a string.', 'state.apply': 'Apply states to a minion: highstate without arguments, or the named SLS files',
  'state.highstate': 'Retrieve the state data from the salt master for this minion and execute it', 'state.sls': 'Execute the states in one or more SLS files',
  'saltutil.kill_job': 'Sends a kill signal (SIGKILL 9) to the named salt job\'s process', 'saltutil.find_job': 'Return the data for a specific job id that is currently running.',
  'saltutil.running': 'Return the data on all running salt processes on the minion', 'saltutil.refresh_pillar': 'Signal the minion to refresh the in-memory pillar data.',
  'pkg.list_pkgs': 'List the packages currently installed as a dict', 'pkg.version': 'Returns a string representing the package version or an empty string if not installed.',
  'sys.list_functions': 'List the functions for all modules.', 'sys.doc': 'Return the docstrings for all modules.',
};

/** Every function the simulated minions implement, sorted. */
export const MINION_FUNCTIONS = Object.keys(DOCS).sort();

function traverse(data: Record<string, unknown>, key: string): unknown {
  let node: unknown = data;
  for (const part of key.split(':')) {
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** The processes a minion runs for jobs it has not returned yet (saltutil.running entries). */
function runningOn(ctx: MinionContext, mid: string, self: string): Array<Record<string, unknown>> {
  // A minion's own saltutil job does not list itself.
  return ctx.jobs.all().filter((j) => j.running.has(mid) && j.jid !== self).map((j) => ({
    pid: j.running.get(mid), fun: j.fun, arg: j.arguments, tgt: j.tgt, jid: j.jid, ret: '', tgt_type: j.tgtType, user: j.user,
  }));
}

/** A pid for a minion's job process. */
export function pidFor(mid: string, jid: string): number {
  return 1000 + (hash32('pid', mid, jid) % 60000);
}

/** Runs `fun` on minion `mid` for `job`. */
export function execute(ctx: MinionContext, mid: string, fun: string, args: unknown[], kwargs: Record<string, unknown>, job: SimJob): ExecResult {
  const ok = (value: unknown, durationMs = 0): ExecResult => ({ return: value, retcode: 0, durationMs });
  const grains = () => ctx.fleet.grains(mid);
  switch (fun) {
    case 'test.ping': return ok(true);
    case 'test.true': return ok(true);
    case 'test.version': return ok(String(grains().saltversion));
    case 'test.echo': return ok(String(args[0] ?? ''));
    case 'test.arg': return ok({ args, kwargs });
    case 'test.sleep': {
      const length = args[0] ?? kwargs.length;
      if (length === undefined) {
        return { return: `Passed invalid arguments to test.sleep: sleep() missing 1 required positional argument: 'length'\n\n    ${SLEEP_DOC}`, retcode: 1 };
      }
      return ok(true, Number(length) * 1000);
    }
    case 'grains.items': return ok(grains());
    case 'grains.item': {
      const g = grains();
      return ok(Object.fromEntries(args.map((k) => [String(k), traverse(g, String(k)) ?? ''])));
    }
    case 'grains.get': return ok(traverse(grains(), String(args[0] ?? '')) ?? (args[1] ?? ''));
    case 'grains.ls': return ok(Object.keys(grains()).sort());
    case 'pillar.items': return ok(ctx.fleet.pillar(mid));
    case 'pillar.get': return ok(traverse(ctx.fleet.pillar(mid), String(args[0] ?? '')) ?? (args[1] ?? ''));
    case 'cmd.run': case 'cmd.shell': case 'cmd.run_all': case 'cmd.retcode': {
      const g = grains();
      const r = runShell(String(args[0] ?? ''), { hostname: String(g.host), kernelrelease: String(g.kernelrelease),
        cwd: String(kwargs.cwd ?? '/root'), nowMs: ctx.now() });
      if (fun === 'cmd.run_all') return { return: { pid: pidFor(mid, job.jid), retcode: r.retcode, stdout: r.stdout, stderr: r.stderr }, retcode: r.retcode, durationMs: r.sleepMs };
      if (fun === 'cmd.retcode') return { return: r.retcode, retcode: r.retcode, durationMs: r.sleepMs };
      return { return: [r.stdout, r.stderr].filter(Boolean).join('\n'), retcode: r.retcode, durationMs: r.sleepMs };
    }
    case 'state.apply': case 'state.sls': case 'state.highstate': {
      const mods = fun === 'state.highstate' ? [] : args.flatMap((a) => String(a).split(',')).map((s) => s.trim()).filter(Boolean);
      if (fun === 'state.sls' && mods.length === 0) return { return: ['No matching sls found for \'\' in env \'base\''], retcode: 1, out: 'highstate' };
      const run = runStates(ctx.fleet, mid, mods, kwargs.test === true || kwargs.test === 'True', ctx.now(), pidFor(mid, job.jid));
      return { return: run.return, retcode: run.retcode, out: 'highstate', durationMs: run.durationMs };
    }
    case 'saltutil.running': return ok(runningOn(ctx, mid, job.jid));
    case 'saltutil.find_job': return ok(runningOn(ctx, mid, job.jid).find((p) => p.jid === String(args[0])) ?? {});
    case 'saltutil.kill_job': return ok(ctx.killJob(mid, String(args[0] ?? '')));
    case 'saltutil.refresh_pillar': return ok(true);
    case 'pkg.list_pkgs': return ok(ctx.fleet.packages(mid));
    case 'pkg.version': {
      const pkgs = ctx.fleet.packages(mid);
      return ok(args.length === 1 ? (pkgs[String(args[0])] ?? '') : Object.fromEntries(args.map((a) => [String(a), pkgs[String(a)] ?? ''])));
    }
    case 'sys.list_functions': {
      const prefixes = args.map(String);
      return ok(MINION_FUNCTIONS.filter((f) => prefixes.length === 0 || prefixes.some((p) => f === p || f.startsWith(p.endsWith('.') ? p : p + '.'))));
    }
    case 'sys.doc': {
      const names = args.length ? MINION_FUNCTIONS.filter((f) => args.some((a) => f === a || f.startsWith(String(a) + '.'))) : MINION_FUNCTIONS;
      return ok(Object.fromEntries(names.map((f) => [f, DOCS[f]])));
    }
    default:
      return { return: `'${fun}' is not available.`, retcode: 254 };
  }
}
