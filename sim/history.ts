/**
 * @module sim/history
 * Seeds the job cache with a plausible past hour of jobs (pings, state runs, commands, runner
 * calls) so job lists and job pages have something to show on a fresh simulator. Returns are
 * computed through the same execution modules as live jobs, without firing events.
 */
import { execute, pidFor } from './execution.ts';
import { jobArguments, splitArgs, type SimMaster } from './master.ts';
import { hash32 } from './prng.ts';
import { matchTarget } from './targeting.ts';
import { jidFor } from './wire.ts';

interface Seed { fun: string; arg?: unknown[]; kwarg?: Record<string, unknown>; tgt: unknown; tgtType?: string; user?: string; runner?: boolean }

const SEEDS: Seed[] = [
  { fun: 'test.ping', tgt: '*' },
  { fun: 'grains.item', arg: ['os', 'osrelease'], tgt: 'web*' },
  { fun: 'state.apply', arg: ['common'], tgt: 'web*' },
  { fun: 'cmd.run', arg: ['uptime'], tgt: 'db*' },
  { fun: 'state.highstate', tgt: 'db*' },
  { fun: 'manage.status', tgt: 'salt-master', runner: true },
  { fun: 'test.version', tgt: '*' },
  { fun: 'pkg.list_pkgs', tgt: 'cache*' },
  { fun: 'cmd.run_all', arg: ['systemctl is-active nginx'], tgt: 'web*' },
  { fun: 'state.apply', arg: ['nginx'], kwarg: { test: true }, tgt: 'web*' },
  { fun: 'jobs.list_jobs', tgt: 'salt-master', runner: true },
  { fun: 'saltutil.refresh_pillar', tgt: '*', user: 'root' },
];

/** Adds `count` finished jobs spread over the hour before `nowMs`. Targets are globs and capped at 200 minions to stay cheap on big fleets. */
export function seedHistory(m: SimMaster, count: number, nowMs: number): void {
  for (let i = 0; i < count; i++) {
    const seed = SEEDS[i % SEEDS.length];
    const at = nowMs - 3_600_000 + Math.floor((i * 3_600_000) / Math.max(count, 1));
    const jid = jidFor(at, hash32(m.fleet.seed, 'hist', i) % 1000);
    const user = seed.user ?? (i % 5 === 0 ? 'root' : 'saltdev');
    if (seed.runner) {
      const job = m.recordMasterJob(jid, `runner.${seed.fun}`, user, 'runner');
      job.tgt = m.fleet.masterId;
      continue;
    }
    const minions = matchTarget(m.fleet, seed.tgt, seed.tgtType ?? 'glob').slice(0, 200);
    if (minions.length === 0) continue;
    const job = m.jobs.add({ jid, fun: seed.fun, arguments: jobArguments(seed.arg ?? [], seed.kwarg ?? {}), tgt: seed.tgt, tgtType: seed.tgtType ?? 'glob',
      user, minions, kind: 'minion', returns: new Map(), running: new Map() });
    const { args, kwargs } = splitArgs(seed.arg ?? [], seed.kwarg ?? {});
    for (const mid of minions) {
      if (!m.fleet.isUp(mid, at)) continue;
      job.running.set(mid, pidFor(mid, jid));
      const r = execute(m, mid, seed.fun, args, kwargs, job);
      job.running.delete(mid);
      job.returns.set(mid, { return: r.return, retcode: r.retcode, success: r.retcode === 0, ...(r.out ? { out: r.out } : {}) });
    }
  }
}
