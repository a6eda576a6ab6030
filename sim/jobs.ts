/**
 * @module sim/jobs
 * The master's job cache: every dispatched job (minion, runner and wheel) with its jid, target and
 * per-minion returns, plus the shapes the `jobs.*` runners answer with (list_jobs, list_job,
 * lookup_jid, print_job, active, list_jobs_filter) exactly as the recordings show them.
 */
import { globToRegExp } from './targeting.ts';
import { jidFor, jidToMs, jobStartTime } from './wire.ts';

/** One minion's return for a job. */
export interface MinionReturn { return: unknown; retcode: number; success: boolean; out?: string }

/** A job in the cache. */
export interface SimJob {
  jid: string;
  /** `test.ping`, or `runner.manage.status` / `wheel.key.accept` for master-side jobs. */
  fun: string;
  /** Salt's `Arguments`: positional args plus a `{__kwarg__: true, ...}` dict when kwargs were given. */
  arguments: unknown[];
  tgt: unknown;
  tgtType: string;
  user: string;
  minions: string[];
  kind: 'minion' | 'runner' | 'wheel';
  returns: Map<string, MinionReturn>;
  /** Minions still executing the job, with the pid they run it under. */
  running: Map<string, number>;
}

/** Filters of `jobs.list_jobs`. */
export interface ListJobsFilter {
  search_function?: string | string[];
  search_target?: string | string[];
  start_time?: string;
  end_time?: string;
}

const STATE_FUNS = new Set(['state.apply', 'state.highstate', 'state.sls', 'state.top', 'state.single', 'state.sls_id']);

/** Whether a function's returns are shown with the highstate outputter. */
export const isStateFun = (fun: string): boolean => STATE_FUNS.has(fun);

/** Parses a start_time/end_time like dateutil would for the common forms (master local time is UTC). */
function parseTime(text: string): number {
  const t = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : text.replace(' ', 'T') + 'Z');
  return Number.isNaN(t) ? Date.parse(text) : t;
}

function toList(v: string | string[] | undefined): string[] | null {
  if (v === undefined || v === null) return null;
  return Array.isArray(v) ? v.map(String) : [String(v)];
}

/** The job cache with Salt's shapes. */
export class JobCache {
  private readonly jobs = new Map<string, SimJob>();
  private lastJid = '';
  private micro = 0;

  private targeted = 0;

  /**
   * @param limit most jobs kept (Salt's keep_jobs, by count)
   * @param maxTargeted most minion entries kept across jobs, so pinging a 100k fleet again and
   *   again cannot exhaust memory
   */
  constructor(private readonly now: () => number, private readonly limit = 10_000, private readonly maxTargeted = 2_000_000) {}

  /** A fresh 20-digit jid, strictly increasing even within one millisecond. */
  newJid(): string {
    const ms = this.now();
    let jid = jidFor(ms, (this.micro = (this.micro + 397) % 1000));
    if (jid <= this.lastJid) jid = (BigInt(this.lastJid) + 1n).toString();
    this.lastJid = jid;
    return jid;
  }

  /** Stores a job, evicting the oldest beyond the cache limit. */
  add(job: SimJob): SimJob {
    this.jobs.set(job.jid, job);
    this.targeted += job.minions.length;
    if (job.jid > this.lastJid) this.lastJid = job.jid;
    while (this.jobs.size > 1 && (this.jobs.size > this.limit || this.targeted > this.maxTargeted)) {
      const oldest = this.jobs.values().next().value!;
      this.jobs.delete(oldest.jid);
      this.targeted -= oldest.minions.length;
    }
    return job;
  }

  /** The job with this jid, if cached. */
  get(jid: string): SimJob | undefined { return this.jobs.get(String(jid)); }

  /** Every cached job, oldest first. */
  all(): SimJob[] { return [...this.jobs.values()]; }

  /** The summary dict list_jobs and active use. */
  private summary(job: SimJob): Record<string, unknown> {
    return { Function: job.fun, Arguments: job.arguments, Target: job.tgt, 'Target-type': job.tgtType, User: job.user,
      StartTime: jobStartTime(job.jid) };
  }

  /** `jobs.list_jobs`: `{jid: {Function, Arguments, Target, Target-type, User, StartTime}}`. */
  listJobs(filter: ListJobsFilter = {}): Record<string, unknown> {
    const funs = toList(filter.search_function)?.map((f) => globToRegExp(f));
    const targets = toList(filter.search_target);
    const start = filter.start_time ? parseTime(filter.start_time) : NaN;
    const end = filter.end_time ? parseTime(filter.end_time) : NaN;
    const out: Record<string, unknown> = {};
    for (const job of this.jobs.values()) {
      if (funs && !funs.some((re) => re.test(job.fun))) continue;
      if (targets && !targets.some((t) => {
        const re = globToRegExp(t);
        return (typeof job.tgt === 'string' && re.test(job.tgt)) || (Array.isArray(job.tgt) && job.tgt.map(String).includes(t)) ||
          job.minions.some((m) => re.test(m));
      })) continue;
      const t = jidToMs(job.jid);
      if (!Number.isNaN(start) && t < start) continue;
      if (!Number.isNaN(end) && t > end) continue;
      out[job.jid] = this.summary(job);
    }
    return out;
  }

  /** `jobs.list_jobs_filter`: the last `count` jobs as a list, each with its `JID`. */
  listJobsFilter(count = 50, filterFindJob = true): Array<Record<string, unknown>> {
    const jobs = this.all().filter((j) => !filterFindJob || j.fun !== 'saltutil.find_job');
    return jobs.slice(-count).map((j) => {
      const { StartTime, ...rest } = this.summary(j);
      return { ...rest, JID: j.jid, StartTime };
    });
  }

  /** The `Result` map of a job: `{mid: {return, retcode, success[, out]}}`. */
  result(job: SimJob): Record<string, MinionReturn> {
    const out: Record<string, MinionReturn> = {};
    for (const [mid, r] of job.returns) out[mid] = r.out ? { return: r.return, retcode: r.retcode, success: r.success, out: r.out } : { ...r };
    return out;
  }

  /** `jobs.list_job`: one job dict with `Minions` and `Result`; an unknown jid gives the returner error. */
  listJob(jid: string): Record<string, unknown> {
    const job = this.get(jid);
    if (!job) return { jid, Error: 'Cannot contact returner or no job with this jid', StartTime: jobStartTime(unknownJid(jid)), Result: {} };
    const { StartTime, ...summary } = this.summary(job);
    return { jid: job.jid, ...summary, Minions: job.minions, StartTime, Result: this.result(job) };
  }

  /** `jobs.print_job`: `{jid: {Function, ..., Minions, StartTime, Result}}`. */
  printJob(jid: string): Record<string, unknown> {
    const { jid: _jid, ...rest } = this.listJob(jid);
    return { [jid]: rest };
  }

  /** Plain `{mid: return}` of a job (what GET /jobs/<jid> puts in `return`). */
  returns(jid: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [mid, r] of this.get(jid)?.returns ?? []) out[mid] = r.return;
    return out;
  }

  /**
   * `jobs.lookup_jid`: `{mid: return}`, wrapped as `{outputter: 'highstate', data}` for state jobs;
   * `{}` for unknown or killed jobs. `missing` adds "Minion did not return" for silent minions.
   */
  lookupJid(jid: string, missing = false): Record<string, unknown> {
    const job = this.get(jid);
    if (!job) return {};
    const data = this.returns(jid);
    if (missing && job.running.size === 0) {
      for (const mid of job.minions) if (!(mid in data)) data[mid] = 'Minion did not return. [No response]';
    }
    if (Object.keys(data).length === 0) return {};
    return isStateFun(job.fun) ? { outputter: 'highstate', data } : data;
  }

  /** `jobs.active`: jobs with minions still running them. */
  active(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const job of this.jobs.values()) {
      if (job.running.size === 0) continue;
      out[job.jid] = { ...this.summary(job), Running: [...job.running].map(([mid, pid]) => ({ [mid]: pid })),
        Returned: [...job.returns.keys()] };
    }
    return out;
  }
}

/** Salt echoes an unknown jid's time back; a non-jid string gets the epoch start. */
function unknownJid(jid: string): string {
  return /^\d{20}$/.test(jid) ? jid : '19700101000000000000';
}
