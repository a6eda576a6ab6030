/**
 * @module
 * `ActivityWriter`: persist, then publish. Kept events are buffered and written in batches (every
 * `flushMs`, or at once when `maxBatch` are waiting), so a burst of thousands of events per second
 * costs a few INSERTs instead of thousands. Only rows the database accepted are published, with
 * their ids, so an SSE id always names a stored event. When the database is slow the buffer grows
 * to `maxBuffer`, then `push()` makes the reader wait (back-pressure onto salt-api's socket)
 * rather than growing without bound.
 */
import type { Db } from '../db/types.ts';
import type { Logger } from '../log.ts';
import type { EventHub } from './hub.ts';
import type { NormalizedEvent } from './normalize.ts';
import { insertActivityEvents } from './service.ts';

export interface ActivityWriterOptions {
  db: Db;
  masterId: string;
  hub: EventHub;
  logger: Logger;
  /**
   * Longest an event waits before it is written (default 10 ms: it is part of the delivery
   * latency to browsers; under load batches fill to `maxBatch` long before the timer fires).
   */
  flushMs?: number;
  /** Write at once when this many are waiting (default 500). */
  maxBatch?: number;
  /** Beyond this many waiting events, `push()` waits for a flush (default 20,000). */
  maxBuffer?: number;
  /** After a failed insert, wait this long before trying again (default 1 s). */
  retryMs?: number;
}

export class ActivityWriter {
  readonly #o: Required<ActivityWriterOptions>;
  #buffer: NormalizedEvent[] = [];
  #timer: ReturnType<typeof setTimeout> | null = null;
  #flushing: Promise<void> | null = null;
  #closed = false;
  /** Counters for the bench and diagnostics. */
  readonly stats = { written: 0, batches: 0, failures: 0 };

  constructor(o: ActivityWriterOptions) {
    this.#o = { flushMs: 10, maxBatch: 500, maxBuffer: 20_000, retryMs: 1000, ...o };
  }

  /** Events waiting to be written. */
  get buffered(): number {
    return this.#buffer.length;
  }

  /** Queues one event; returns a promise only when the caller must wait (buffer full). */
  push(e: NormalizedEvent): Promise<void> | undefined {
    if (this.#closed) return undefined;
    this.#buffer.push(e);
    if (this.#buffer.length >= this.#o.maxBatch) this.#kick();
    else this.#schedule(this.#o.flushMs);
    if (this.#buffer.length >= this.#o.maxBuffer) return this.flush();
    return undefined;
  }

  /** Writes everything buffered now (and waits for a write already running). */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    if (this.#buffer.length === 0) return;
    this.#flushing = this.#writeOnce().then((ok) => {
      this.#flushing = null;
      // Events that arrived during the write have waited for it already (and a timer that fired
      // meanwhile found the write busy): write them next, back to back — group commit under load.
      // After a failure the retry timer decides instead.
      if (ok && this.#buffer.length > 0 && !this.#closed) void this.flush();
    });
    await this.#flushing;
  }

  /** Writes what is left and stops accepting events. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.flush().catch(() => {});
  }

  #schedule(ms: number): void {
    if (this.#timer || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#kick();
    }, ms);
    this.#timer.unref?.();
  }

  #kick(): void {
    if (this.#flushing) return; // the running write picks the rest up when it ends
    void this.flush();
  }

  /** One INSERT round; false when it failed (the batch is back in the buffer). */
  async #writeOnce(): Promise<boolean> {
    const batch = this.#buffer;
    this.#buffer = [];
    try {
      const stored = await insertActivityEvents(this.#o.db, this.#o.masterId, batch);
      this.stats.written += stored.length;
      this.stats.batches++;
      this.#o.hub.publish(stored);
    } catch (e) {
      this.stats.failures++;
      // Keep the batch at the front so order is kept; bound what the database outage may cost.
      this.#buffer = batch.concat(this.#buffer);
      const excess = this.#buffer.length - this.#o.maxBuffer;
      if (excess > 0) this.#buffer.splice(0, excess);
      this.#o.logger.error('activity events not stored', { error: String(e), waiting: this.#buffer.length, dropped: Math.max(0, excess) });
      if (!this.#closed) {
        if (this.#timer) clearTimeout(this.#timer);
        this.#timer = null;
        this.#schedule(this.#o.retryMs);
      }
      return false;
    }
    return true;
  }
}
