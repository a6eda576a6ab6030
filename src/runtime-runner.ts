/**
 * @module
 * PollerRunner: the registered pollers, one run at a time per poller *across* settings
 * generations (the guard that keeps a reload from starting a second copy while the old run
 * finishes), and each poller's last outcome in memory and in `poller_status`.
 * RuntimeConfig decides when to run (croner, a save, a recovery); this decides how.
 */
import type { Db } from './db/types.ts';
import type { Logger } from './log.ts';
import type { SaltApiClient } from './salt/client.ts';
import { describeSaltFailure, type SaltFailure } from './settings/salt-connection.ts';
import type { PollIntervalKey } from './settings/service.ts';
import {
  EMPTY_RECORD, isStale, loadPollerRecords, pollerStatusOf, savePollerRecord,
  type PollerDefinition, type PollerRecord, type PollerStatus,
} from './runtime-pollers.ts';

/** What one run is given by the generation that starts it. */
export interface RunScope {
  db: Db;
  salt: SaltApiClient;
  /** Aborted by a reload or stop: an aborted run records nothing. */
  signal: AbortSignal;
  /** A run that worked (salt-api answers). */
  onSuccess(): void;
  /** A run that failed; `failure.kind` says whether salt-api itself is the problem. */
  onFailure(failure: SaltFailure): void;
}

export class PollerRunner {
  readonly defs = new Map<string, PollerDefinition>();
  readonly #records = new Map<string, PollerRecord>();
  readonly #inflight = new Map<string, Promise<void>>();

  constructor(private readonly o: { logger: Logger; now: () => number; masterId: string }) {}

  register(def: PollerDefinition): void {
    this.defs.set(def.name, def);
  }

  /** Whether any registered poller has an interval > 0. */
  anyEnabled(intervals: Record<PollIntervalKey, number>): boolean {
    return [...this.defs.values()].some((p) => intervals[p.intervalKey] > 0);
  }

  /** Loads stored outcomes (after a restart) without overwriting fresher ones in memory. */
  async loadRecords(db: Db): Promise<void> {
    for (const [name, r] of await loadPollerRecords(db, this.o.masterId)) if (!this.#records.has(name)) this.#records.set(name, r);
  }

  isRunning(name: string): boolean {
    return this.#inflight.has(name);
  }

  /** Runs `name` once, unless one of its runs (of any generation) is still in flight. */
  async run(name: string, scope: RunScope): Promise<'ran' | 'skipped'> {
    const def = this.defs.get(name);
    if (!def || scope.signal.aborted || this.#inflight.has(name)) return 'skipped';
    const run = this.#runOnce(def, scope);
    this.#inflight.set(name, run);
    try {
      await run;
    } finally {
      if (this.#inflight.get(name) === run) this.#inflight.delete(name);
    }
    return 'ran';
  }

  /** Waits for every run in flight (shutdown). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.#inflight.values()]);
  }

  /** Every poller's status; `expectedSinceMs` is when Salt was configured (null: it is not). */
  status(intervals: Record<PollIntervalKey, number> | null, expectedSinceMs: number | null): PollerStatus[] {
    const now = this.o.now();
    return [...this.defs.values()].map((def) => {
      const interval = intervals ? intervals[def.intervalKey] : 0;
      const record = this.#records.get(def.name) ?? EMPTY_RECORD;
      return pollerStatusOf(def.name, interval, this.#inflight.has(def.name), record, isStale(interval, record, expectedSinceMs, now));
    });
  }

  async #runOnce(def: PollerDefinition, scope: RunScope): Promise<void> {
    const { now, masterId } = this.o;
    const started = now();
    const log = this.o.logger.child({ poller: def.name });
    try {
      await def.run({ db: scope.db, salt: scope.salt, logger: log, signal: scope.signal, now: () => new Date(now()), masterId });
      if (scope.signal.aborted) return;
      await this.#record(scope.db, def.name, { lastSuccessAt: new Date(now()), lastDurationMs: Math.round(now() - started) }, log);
      scope.onSuccess();
    } catch (e) {
      if (scope.signal.aborted) return;
      const f = describeSaltFailure(e);
      log.warn('poll failed', { error: f.message });
      await this.#record(scope.db, def.name, { lastErrorAt: new Date(now()), lastError: f.message }, log);
      scope.onFailure(f);
    }
  }

  async #record(db: Db, name: string, change: Partial<PollerRecord>, log: Logger): Promise<void> {
    const record = { ...(this.#records.get(name) ?? EMPTY_RECORD), ...change };
    this.#records.set(name, record);
    await savePollerRecord(db, this.o.masterId, name, record).catch((e) => log.warn('poller status not saved', { error: String(e) }));
  }
}
