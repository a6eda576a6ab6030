/**
 * @module sim/activity
 * Optional background activity for demos: every interval a "scheduler" user publishes a small job
 * (a ping, a state run, a command) to a few minions, so job lists and the event stream stay
 * lively without anyone clicking. Deterministic order, driven by a counter.
 */
import type { SimMaster } from './master.ts';

const JOBS: Array<{ fun: string; arg: unknown[]; kwarg?: Record<string, unknown> }> = [
  { fun: 'test.ping', arg: [] },
  { fun: 'state.apply', arg: ['common'] },
  { fun: 'cmd.run', arg: ['uptime'] },
  { fun: 'state.apply', arg: [], kwarg: { test: true } },
  { fun: 'grains.item', arg: ['os', 'osrelease'] },
  { fun: 'pkg.list_pkgs', arg: [] },
];

/** Starts publishing a job every `everyMs`; returns the stop function. */
export function startActivity(m: SimMaster, everyMs: number): () => void {
  let n = 0;
  const timer = setInterval(() => {
    const accepted = m.fleet.accepted();
    if (accepted.length === 0) return;
    const spec = JOBS[n % JOBS.length];
    const width = 1 + (n % 5);
    const start = (n * 7) % accepted.length;
    const tgt = Array.from({ length: Math.min(width, accepted.length) }, (_, i) => accepted[(start + i) % accepted.length]);
    n++;
    m.publish({ fun: spec.fun, arg: spec.arg, kwarg: spec.kwarg, tgt, tgtType: 'list', user: 'scheduler' });
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
