/**
 * @module sim/states
 * state.apply / state.sls / state.highstate results in the recorded shapes:
 * `{"<mod>_|-<id>_|-<name>_|-<fun>": {name, changes, result, comment, __sls__, __run_num__,
 * start_time, duration, __id__}}`, or a list of strings for a render error. Outcomes are
 * deterministic per minion and state: the first run of an sls on a minion may change things,
 * later runs are clean, a few states fail for good, and `test=True` reports `result: null`.
 */
import type { SimFleet } from './fleet.ts';
import { hash32, unit } from './prng.ts';
import { clockTime } from './wire.ts';

/** The outcome of a state run on one minion. */
export interface StateRun { return: Record<string, unknown> | string[]; retcode: number; durationMs: number }

type Outcome = 'clean' | 'changed' | 'failed';
interface StateDef { mod: string; id: string; name: string; fun: string }

const ROLE_SLS: Record<string, string> = { web: 'nginx', db: 'postgres', cache: 'redis', lb: 'haproxy', mq: 'rabbitmq', app: 'app', worker: 'app' };

const SLS: Record<string, StateDef[]> = {
  common: [
    { mod: 'pkg', id: 'base_packages', name: 'base_packages', fun: 'installed' },
    { mod: 'file', id: 'motd', name: '/etc/motd', fun: 'managed' },
    { mod: 'service', id: 'chrony', name: 'chrony', fun: 'running' },
    { mod: 'user', id: 'deploy', name: 'deploy', fun: 'present' },
  ],
  nginx: [
    { mod: 'pkg', id: 'nginx', name: 'nginx', fun: 'installed' },
    { mod: 'file', id: 'nginx_conf', name: '/etc/nginx/nginx.conf', fun: 'managed' },
    { mod: 'service', id: 'nginx_service', name: 'nginx', fun: 'running' },
  ],
  postgres: [
    { mod: 'pkg', id: 'postgresql', name: 'postgresql-15', fun: 'installed' },
    { mod: 'file', id: 'pg_hba', name: '/etc/postgresql/15/main/pg_hba.conf', fun: 'managed' },
    { mod: 'service', id: 'postgresql_service', name: 'postgresql', fun: 'running' },
  ],
  redis: [{ mod: 'pkg', id: 'redis', name: 'redis-server', fun: 'installed' }, { mod: 'service', id: 'redis_service', name: 'redis-server', fun: 'running' }],
  haproxy: [{ mod: 'pkg', id: 'haproxy', name: 'haproxy', fun: 'installed' }, { mod: 'file', id: 'haproxy_cfg', name: '/etc/haproxy/haproxy.cfg', fun: 'managed' }],
  rabbitmq: [{ mod: 'pkg', id: 'rabbitmq', name: 'rabbitmq-server', fun: 'installed' }, { mod: 'service', id: 'rabbitmq_service', name: 'rabbitmq-server', fun: 'running' }],
  app: [{ mod: 'file', id: 'app_release', name: '/srv/app/current/RELEASE', fun: 'managed' }, { mod: 'service', id: 'app_service', name: 'app', fun: 'running' }],
};

function comment(d: StateDef, o: Outcome, test: boolean): string {
  const ok: Record<string, string> = { pkg: 'All specified packages are already installed', file: `File ${d.name} is in the correct state`,
    service: `The service ${d.name} is already running`, user: `User ${d.name} is present and up to date` };
  const changed: Record<string, string> = { pkg: `The following packages were installed/updated: ${d.name}`, file: `File ${d.name} updated`,
    service: `Service ${d.name} has been enabled, and is running`, user: `New user ${d.name} created` };
  const wouldChange: Record<string, string> = { pkg: `The following packages would be installed/updated: ${d.name}`,
    file: `The file ${d.name} is set to be changed`, service: `Service ${d.name} is set to start`, user: `User ${d.name} set to be added` };
  const failed: Record<string, string> = {
    pkg: `Problem encountered installing package(s). Additional info follows:\n\nerrors:\n    - Running scope as unit: run-r1.scope\n      E: Unable to locate package ${d.name}`,
    file: `Source file salt://${d.id}/files/${d.name.split('/').pop()} not found in saltenv 'base'`,
    service: `Job for ${d.name}.service failed because the control process exited with error code.`, user: `Failed to create new user ${d.name}` };
  if (o === 'failed') return failed[d.mod];
  if (o === 'changed') return test ? wouldChange[d.mod] : changed[d.mod];
  return ok[d.mod];
}

function changes(d: StateDef, o: Outcome, test: boolean, pid: number): Record<string, unknown> {
  if (o !== 'changed') return {};
  if (d.mod === 'file') return test ? { newfile: d.name } : { diff: 'New file' };
  if (d.mod === 'pkg') return test ? {} : { [d.name]: { old: '', new: '1.22.1-9' } };
  if (d.mod === 'service') return test ? {} : { [d.name]: true };
  if (d.mod === 'user') return test ? {} : { name: d.name, uid: 2001, gid: 2001, home: `/home/${d.name}`, shell: '/bin/bash', pid };
  return {};
}

/** The lab's demo.sls: demo_file passes (changes on the first run) and demo_fail always fails. */
function demoStates(mid: string, applied: boolean, test: boolean, pid: number): Array<[string, Record<string, unknown>]> {
  const path = `/srv/saltlab/run/tmp/demo-${mid}.txt`;
  const file = test
    ? { changes: applied ? {} : { newfile: path }, comment: applied ? `The file ${path} is in the correct state` : `The file ${path} is set to be changed`, name: path, result: applied ? true : null }
    : { changes: applied ? {} : { diff: 'New file' }, comment: applied ? `File ${path} is in the correct state` : `File ${path} updated`, name: path, result: true };
  const cmd = test
    ? { name: 'false', changes: { cmd: 'false' }, result: null, comment: 'Command "false" would have been executed' }
    : { name: 'false', changes: { pid, retcode: 1, stdout: '', stderr: '' }, result: false, comment: 'Command "false" run' };
  return [[`file_|-demo_file_|-${path}_|-managed`, { ...file, __id__: 'demo_file' }], ['cmd_|-demo_fail_|-false_|-run', { ...cmd, __id__: 'demo_fail' }]];
}

/** The sls names state.highstate applies on a minion (its top file). */
export function topFor(fleet: SimFleet, mid: string): string[] {
  return fleet.preset === 'lab' ? ['demo'] : ['common', ROLE_SLS[fleet.role(mid)] ?? 'app'];
}

/** How long an sls takes (slow.sls sleeps 30 s like the lab's). */
export function stateDurationMs(mods: string[]): number {
  return mods.includes('slow') ? 30_000 : 0;
}

/** Every sls name the simulator knows (for sys.doc and errors). */
export const KNOWN_SLS = ['demo', 'slow', 'broken', ...Object.keys(SLS)];

/** Runs the given sls (or the highstate when `mods` is empty) on one minion. */
export function runStates(fleet: SimFleet, mid: string, mods: string[], test: boolean, nowMs: number, pid: number): StateRun {
  const list = mods.length ? mods : topFor(fleet, mid);
  const missing = list.filter((m) => !KNOWN_SLS.includes(m));
  if (missing.length) return { return: missing.map((m) => `No matching sls found for '${m}' in env 'base'`), retcode: 1, durationMs: 0 };
  if (list.includes('broken')) {
    return { return: ["Rendering SLS 'base:broken' failed: Jinja variable 'dict object' has no attribute 'release'"], retcode: 1, durationMs: 0 };
  }
  const ret: Record<string, unknown> = {};
  let runNum = 0;
  let t = nowMs;
  let failed = false;
  for (const sls of list) {
    const appliedKey = `${mid}\u0001${sls}`;
    const applied = fleet.appliedStates.has(appliedKey);
    let entries: Array<[string, Record<string, unknown>]>;
    if (sls === 'demo') entries = demoStates(mid, applied, test, pid + runNum);
    else if (sls === 'slow') entries = [['cmd_|-slow_|-sleep 30_|-run', { name: 'sleep 30', changes: test ? { cmd: 'sleep 30' } : { pid, retcode: 0, stdout: '', stderr: '' }, result: test ? null : true, comment: test ? 'Command "sleep 30" would have been executed' : 'Command "sleep 30" run', __id__: 'slow' }]];
    else {
      entries = SLS[sls].map((d) => {
        const u = unit(fleet.seed, 'state', mid, sls, d.id);
        const o: Outcome = u < 0.04 ? 'failed' : !applied && u < 0.5 ? 'changed' : 'clean';
        const result = o === 'failed' ? false : o === 'changed' && test ? null : true;
        return [`${d.mod}_|-${d.id}_|-${d.name}_|-${d.fun}`, { name: d.name, changes: changes(d, o, test, pid), result, comment: comment(d, o, test), __id__: d.id }];
      });
    }
    for (const [key, entry] of entries) {
      const duration = 5 + (hash32(mid, key, nowMs) % 40000) / 1000;
      if (entry.result === false) failed = true;
      const { __id__, ...rest } = entry;
      ret[key] = { ...rest, __sls__: sls, __run_num__: runNum++, start_time: clockTime(t, hash32(key) % 1000), duration, __id__ };
      t += Math.ceil(duration);
    }
    if (!test) fleet.appliedStates.add(appliedKey);
  }
  return { return: ret, retcode: failed ? 2 : 0, durationMs: stateDurationMs(list) };
}
