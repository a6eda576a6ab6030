/**
 * @module
 * The running jobs as last reported by the runner `jobs.active`, per master. In memory on purpose:
 * the poller refreshes it every tick, and a job's status is "running" exactly while its jid is in
 * here, so a killed or finished job turns "complete" on the next poll without a database write.
 */

/** The running jids of one master, and when they were read. */
export interface ActiveSnapshot {
  jids: ReadonlySet<string>;
  /** The minions still running each jid (from `Running: [{mid: pid}]`). */
  running: ReadonlyMap<string, readonly string[]>;
  at: Date | null;
}

const EMPTY: ActiveSnapshot = { jids: new Set(), running: new Map(), at: null };

/** Running jids by master. */
export class ActiveJobs {
  readonly #byMaster = new Map<string, ActiveSnapshot>();

  /** Replaces a master's running set with a fresh `jobs.active` reading. */
  set(masterId: string, running: Map<string, string[]>, at: Date): void {
    this.#byMaster.set(masterId, { jids: new Set(running.keys()), running, at });
  }

  /** The master's snapshot (empty before the first poll). */
  get(masterId = 'default'): ActiveSnapshot {
    return this.#byMaster.get(masterId) ?? EMPTY;
  }

  /** Whether the jid was running at the last poll. */
  isRunning(jid: string, masterId = 'default'): boolean {
    return this.get(masterId).jids.has(jid);
  }

  /** Forgets everything (tests). */
  clear(): void {
    this.#byMaster.clear();
  }
}

/** The process-wide set the poller fills and the routes read. */
export const activeJobs = new ActiveJobs();
