/**
 * @module sim/master
 * The simulated Salt master: publishes jobs to the fleet (job cache entries, the event sequence
 * `<jid>` → new → publish → ret/<mid>, returns after a delay), and runs runner and wheel functions
 * with the events and job-cache entries Salt produces for them.
 */
import { EventBus } from './events.ts';
import { execute, pidFor, type MinionContext } from './execution.ts';
import type { SimFleet } from './fleet.ts';
import { isStateFun, JobCache, type MinionReturn, type SimJob } from './jobs.ts';
import { hexFrom } from './prng.ts';
import { matchTarget } from './targeting.ts';
import { ctime } from './wire.ts';

/** A job to publish. */
export interface PublishSpec {
  fun: string; arg?: unknown[]; kwarg?: Record<string, unknown>; tgt?: unknown; tgtType?: string; user: string;
}

/** A published job and a promise that settles when every connected targeted minion has returned. */
export interface Published { job: SimJob; done: Promise<void> }

/** Master settings the simulator passes through. */
export interface MasterOptions { jobDurationMs: number; now: () => number }

/** Parses `key=value` strings in `arg` into kwargs the way Salt's parse_input does (YAML scalars). */
export function splitArgs(arg: unknown[], kwarg: Record<string, unknown> = {}): { args: unknown[]; kwargs: Record<string, unknown> } {
  const args: unknown[] = [];
  const kwargs: Record<string, unknown> = { ...kwarg };
  for (const a of arg) {
    const m = typeof a === 'string' ? /^([A-Za-z_][\w]*)=(.*)$/s.exec(a) : null;
    if (!m) { args.push(a); continue; }
    const v = m[2];
    kwargs[m[1]] = /^(true|True)$/.test(v) ? true : /^(false|False)$/.test(v) ? false : /^(None|null|~)$/.test(v) ? null
      : /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
  }
  return { args, kwargs };
}

/** Salt's `Arguments`/`arg` list: positional args plus `{__kwarg__: true, ...}` when kwargs exist. */
export function jobArguments(arg: unknown[], kwarg: Record<string, unknown> = {}): unknown[] {
  return Object.keys(kwarg).length ? [...arg, { __kwarg__: true, ...kwarg }] : [...arg];
}

/** A fake but stable PEM public key for salt/auth events. */
export function publicKeyPem(seed: number, id: string): string {
  const b64 = Buffer.from(hexFrom(540, seed, 'pub', id), 'hex').toString('base64');
  return `-----BEGIN PUBLIC KEY-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END PUBLIC KEY-----`;
}

/** The master: job publishing, kills and the event side effects of jobs. */
export class SimMaster implements MinionContext {
  readonly jobs: JobCache;
  readonly bus: EventBus;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly finishers = new Map<string, () => void>();

  constructor(readonly fleet: SimFleet, readonly opts: MasterOptions) {
    this.jobs = new JobCache(opts.now);
    this.bus = new EventBus(opts.now);
  }

  now(): number { return this.opts.now(); }

  /** Runs `fn` after `ms` on an unref'd timer that close() cancels. */
  later(ms: number, fn: () => void): void {
    const t = setTimeout(() => { this.timers.delete(t); fn(); }, Math.max(0, ms));
    t.unref();
    this.timers.add(t);
  }

  /** How long a minion takes to return this function. */
  private durationFor(fun: string, args: unknown[]): number {
    if (fun === 'test.sleep' && args[0] !== undefined) return Number(args[0]) * 1000 || 0;
    if (isStateFun(fun) && args.some((a) => String(a).split(',').includes('slow'))) return 30_000;
    if (fun.startsWith('cmd.')) {
      const m = /(?:^|[;&]\s*)sleep\s+(\d+(?:\.\d+)?)/.exec(String(args[0] ?? ''));
      if (m) return Number(m[1]) * 1000;
    }
    return this.opts.jobDurationMs;
  }

  /** Publishes a job; returns null when no accepted minion matches (Salt then answers `{}`). */
  publish(spec: PublishSpec): Published | null {
    const tgt = spec.tgt ?? '*';
    const tgtType = spec.tgtType || 'glob';
    const minions = matchTarget(this.fleet, tgt, tgtType);
    if (minions.length === 0) return null;
    const { args, kwargs } = splitArgs(spec.arg ?? [], spec.kwarg ?? {});
    const jid = this.jobs.newJid();
    const argList = jobArguments(spec.arg ?? [], spec.kwarg ?? {});
    const now = this.now();
    const job = this.jobs.add({ jid, fun: spec.fun, arguments: argList, tgt, tgtType, user: spec.user, minions, kind: 'minion',
      returns: new Map(), running: new Map() });
    for (const mid of minions) if (this.fleet.isUp(mid, now)) job.running.set(mid, pidFor(mid, jid));
    this.bus.fire(jid, { minions });
    this.bus.fire(`salt/job/${jid}/new`, () => ({ jid, tgt_type: tgtType, tgt, user: spec.user, fun: spec.fun, arg: argList, minions, missing: [] }));
    this.bus.fire(`salt/job/${jid}/publish`, () => ({ fun: spec.fun, arg: argList, tgt, jid, ret: '', tgt_type: tgtType, user: spec.user }));
    const done = new Promise<void>((resolve) => {
      if (job.running.size === 0) return resolve();
      this.finishers.set(jid, resolve);
      this.later(this.durationFor(spec.fun, args), () => {
        for (const mid of [...job.running.keys()]) this.returnFrom(job, mid, args, kwargs);
        this.settle(job);
      });
    });
    return { job, done };
  }

  /** Records a minion's return and fires its events. */
  private returnFrom(job: SimJob, mid: string, args: unknown[], kwargs: Record<string, unknown>): void {
    const r = execute(this, mid, job.fun, args, kwargs, job);
    if (!job.running.has(mid)) return; // killed while executing
    job.running.delete(mid);
    const ret: MinionReturn = { return: r.return, retcode: r.retcode, success: r.retcode === 0 };
    if (r.out) ret.out = r.out;
    job.returns.set(mid, ret);
    if (isStateFun(job.fun)) this.bus.fire(`minion/refresh/${mid}`, { 'Minion data cache refresh': mid });
    this.bus.fire(`salt/job/${job.jid}/ret/${mid}`, () => ({
      cmd: '_return', id: mid, success: ret.success, return: ret.return, retcode: ret.retcode, jid: job.jid, fun: job.fun,
      fun_args: job.arguments, user: job.user, ...(ret.out ? { out: ret.out } : {}), _stamp: '', ts: Math.floor(this.now() / 1000),
    }));
  }

  private settle(job: SimJob): void {
    if (job.running.size > 0) return;
    this.finishers.get(job.jid)?.();
    this.finishers.delete(job.jid);
  }

  /** saltutil.kill_job on one minion: the job never returns from it. */
  killJob(mid: string, jid: string): string {
    const job = this.jobs.get(jid);
    const pid = job?.running.get(mid);
    if (!job || pid === undefined) return '';
    job.running.delete(mid);
    this.settle(job);
    return `Signal 9 sent to job ${jid} at pid ${pid}`;
  }

  /** Records a master-side (runner or wheel) job in the job cache. */
  recordMasterJob(jid: string, fun: string, user: string, kind: 'runner' | 'wheel'): SimJob {
    return this.jobs.add({ jid, fun, arguments: [], tgt: this.fleet.masterId, tgtType: 'list', user, minions: [this.fleet.masterId],
      kind, returns: new Map(), running: new Map() });
  }

  /** A minion (re)starting: the events Salt fires when it connects. */
  minionStart(id: string): void {
    const ts = Math.floor(this.now() / 1000);
    const text = `Minion ${id} started at ${ctime(this.now())}`;
    this.bus.fire('salt/auth', { result: true, act: 'accept', id, pub: publicKeyPem(this.fleet.seed, id) });
    this.bus.fire(`minion/refresh/${id}`, { 'Minion data cache refresh': id });
    for (const tag of ['minion_start', `salt/minion/${id}/start`]) {
      this.bus.fire(tag, { id, cmd: '_minion_event', pretag: null, data: text, tag, _stamp: '', ts });
    }
  }

  /** Cancels every pending timer and settles waiting jobs (used on close). */
  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const resolve of this.finishers.values()) resolve();
    this.finishers.clear();
  }
}
