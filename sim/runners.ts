/**
 * @module sim/runners
 * Runner functions (`client: runner` / `runner_async`): manage.*, cache.grains/pillar, jobs.*,
 * test.arg. Each call gets a jid, a job-cache entry (`runner.<fun>` targeted at the master) and the
 * `salt/run/<jid>/new|ret` events. An unknown runner throws, which salt-api turns into a 500.
 */
import { jobArguments, type SimMaster } from './master.ts';
import { matchTarget } from './targeting.ts';

/** Raised for a runner function that does not exist (salt-api answers 500 JSON). */
export class UnknownFunctionError extends Error {}

type Runner = (m: SimMaster, args: unknown[], kwargs: Record<string, unknown>, user: string) => unknown | Promise<unknown>;

/** manage.* pings the fleet like Salt does (a test.ping job as root) and sorts minions by who answered. */
async function pingFleet(m: SimMaster): Promise<{ up: string[]; down: string[] }> {
  const accepted = m.fleet.accepted();
  const published = m.publish({ fun: 'test.ping', tgt: '*', tgtType: 'glob', user: 'root' });
  if (!published) return { up: [], down: accepted };
  await published.done;
  const answered = published.job.returns;
  return { up: accepted.filter((id) => answered.has(id)), down: accepted.filter((id) => !answered.has(id)) };
}

const arg0 = (args: unknown[], kwargs: Record<string, unknown>, name: string): string => String(args[0] ?? kwargs[name] ?? '');

const RUNNERS: Record<string, Runner> = {
  'manage.status': (m) => pingFleet(m),
  'manage.up': async (m) => (await pingFleet(m)).up,
  'manage.down': async (m) => (await pingFleet(m)).down,
  'manage.present': (m) => m.fleet.present(m.now()),
  'manage.not_present': (m) => m.fleet.accepted().filter((id) => !m.fleet.isUp(id, m.now())),
  'manage.alived': (m) => m.fleet.present(m.now()),
  'manage.not_alived': (m) => m.fleet.accepted().filter((id) => !m.fleet.isUp(id, m.now())),
  'manage.joined': (m) => m.fleet.present(m.now()),
  'manage.not_joined': (m) => m.fleet.accepted().filter((id) => !m.fleet.isUp(id, m.now())),
  'manage.list_state': (m) => m.fleet.present(m.now()),
  'cache.grains': (m, args, kw) => Object.fromEntries(matchTarget(m.fleet, args[0] ?? kw.tgt ?? '*', String(args[1] ?? kw.tgt_type ?? 'glob')).map((id) => [id, m.fleet.grains(id)])),
  'cache.pillar': (m, args, kw) => Object.fromEntries(matchTarget(m.fleet, args[0] ?? kw.tgt ?? '*', String(args[1] ?? kw.tgt_type ?? 'glob')).map((id) => [id, m.fleet.pillar(id)])),
  'cache.mine': () => ({}),
  'jobs.list_jobs': (m, _a, kw) => m.jobs.listJobs(kw as never),
  'jobs.list_jobs_filter': (m, args, kw) => m.jobs.listJobsFilter(Number(args[0] ?? kw.count ?? 50), kw.filter_find_job !== false),
  'jobs.lookup_jid': (m, args, kw) => m.jobs.lookupJid(arg0(args, kw, 'jid'), kw.missing === true),
  'jobs.list_job': (m, args, kw) => m.jobs.listJob(arg0(args, kw, 'jid')),
  'jobs.print_job': (m, args, kw) => m.jobs.printJob(arg0(args, kw, 'jid')),
  'jobs.active': (m) => m.jobs.active(),
  'jobs.exit_success': (m, args, kw) => {
    const job = m.jobs.get(arg0(args, kw, 'jid'));
    return Object.fromEntries(job ? job.minions.map((id) => [id, job.returns.get(id)?.retcode === 0]) : []);
  },
  'test.arg': (_m, args, kwargs) => ({ args, kwargs }),
  'test.stdout_print': () => true,
};

/** Every runner function the simulator implements. */
export const RUNNER_FUNCTIONS = Object.keys(RUNNERS).sort();

/**
 * Runs a runner function as `user`: fires `salt/run/<jid>/new`, computes the value, fires
 * `salt/run/<jid>/ret`. With `async`, answers `{tag, jid}` at once and runs in the background.
 */
export async function runRunner(m: SimMaster, fun: string, args: unknown[], kwargs: Record<string, unknown>, user: string,
  async = false): Promise<unknown> {
  const runner = RUNNERS[fun];
  if (!runner && !async) throw new UnknownFunctionError(`'${fun}' is not available.`);
  const jid = m.jobs.newJid();
  const funArgs = jobArguments(args, kwargs);
  m.recordMasterJob(jid, `runner.${fun}`, user, 'runner');
  const base = { fun: `runner.${fun}`, jid, user, fun_args: funArgs };
  m.bus.fire(`salt/run/${jid}/new`, base);
  const run = async () => {
    let value: unknown;
    let success = true;
    try {
      if (!runner) throw new UnknownFunctionError(`'${fun}' is not available.`);
      value = await runner(m, args, kwargs, user);
    } catch (e) {
      success = false;
      value = `Exception occurred in runner ${fun}: ${(e as Error).message}`;
      if (!async) throw e;
    }
    m.bus.fire(`salt/run/${jid}/ret`, () => ({ ...base, return: value, success }));
    return value;
  };
  if (async) {
    m.later(0, () => { void run().catch(() => undefined); });
    return { tag: `salt/run/${jid}`, jid };
  }
  return run();
}
