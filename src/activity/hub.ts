/**
 * @module
 * The EventHub: the in-process fan-out between the one upstream Salt stream and every browser.
 * It keeps the last events in a ring (replayed to new and reconnecting subscribers) and gives each
 * subscriber a bounded queue. A subscriber whose queue overflows is dropped — its stream ends and
 * the browser reconnects with Last-Event-ID, catching up from the ring or the database — so one
 * slow client never grows memory nor slows the others.
 *
 * The hub exists whether or not Salt is connected: it also carries the status of the upstream
 * stream, so pages can say "live" or why not.
 */
import type { ActivityCategory } from './normalize.ts';
import type { ActivityEvent, StreamStatus } from './schemas.ts';

export interface EventHubOptions {
  /** Events kept for replay (default 1000). */
  ringSize?: number;
  /** Events a subscriber may have waiting before it is dropped (default 1000). */
  queueLimit?: number;
  /** The SSE keepalive period the routes use (default 20 s). */
  keepaliveMs?: number;
  /**
   * How long one SSE response lasts before it ends and the browser reconnects (default 10 min):
   * each reconnect re-checks the session and permissions, so a signed-out or demoted user stops
   * receiving events; Last-Event-ID makes the reconnect lossless.
   */
  maxStreamMs?: number;
  now?: () => number;
}

/** What a subscriber receives from `next()`. */
export interface SubscriptionBatch {
  events: ActivityEvent[];
  /** Set when the stream status changed since the last batch. */
  status: StreamStatus | null;
  /** Named notices (`jobs-refreshed`, ...) announced since the last batch, not stored, not replayed. */
  notices: HubNotice[];
  /** True once the subscription is over (closed, or dropped for being too slow). */
  closed: boolean;
  dropped: boolean;
}

/** A named signal for pages (e.g. `jobs-refreshed` once the jobs table caught up with events). */
export interface HubNotice {
  category: ActivityCategory;
  event: string;
  data: string;
}

/** One subscriber: read with `next()`, end with `close()`. */
export class Subscription {
  #queue: ActivityEvent[] = [];
  #status: StreamStatus | null = null;
  #notices: HubNotice[] = [];
  #wake: (() => void) | null = null;
  #closed = false;
  #dropped = false;

  constructor(
    readonly categories: ReadonlySet<ActivityCategory>,
    readonly limit: number,
    readonly onClose: (s: Subscription) => void,
  ) {}

  get closed(): boolean {
    return this.#closed;
  }
  get dropped(): boolean {
    return this.#dropped;
  }
  /** Events waiting to be written. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Waits for events, a status change or the end; returns everything that is waiting. */
  async next(): Promise<SubscriptionBatch> {
    if (this.#queue.length === 0 && this.#status === null && this.#notices.length === 0 && !this.#closed) {
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
    const batch = { events: this.#queue, status: this.#status, notices: this.#notices, closed: this.#closed, dropped: this.#dropped };
    this.#queue = [];
    this.#status = null;
    this.#notices = [];
    return batch;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue = [];
    this.onClose(this);
    this.#notify();
  }

  /** @internal the hub delivers; false when the subscriber had to be dropped. */
  offer(events: readonly ActivityEvent[]): boolean {
    if (this.#closed) return true;
    let n = 0;
    for (const e of events) if (this.categories.has(e.category as ActivityCategory)) n++;
    if (n === 0) return true;
    if (this.#queue.length + n > this.limit) {
      this.#dropped = true;
      this.close();
      return false;
    }
    for (const e of events) if (this.categories.has(e.category as ActivityCategory)) this.#queue.push(e);
    this.#notify();
    return true;
  }

  /** @internal */
  offerNotice(n: HubNotice): void {
    if (this.#closed || !this.categories.has(n.category)) return;
    // A notice repeated before the subscriber read it says nothing new.
    if (!this.#notices.some((x) => x.event === n.event && x.data === n.data)) this.#notices.push(n);
    this.#notify();
  }

  /** @internal */
  offerStatus(s: StreamStatus): void {
    if (this.#closed) return;
    this.#status = s;
    this.#notify();
  }

  #notify(): void {
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }
}

const ALL: ReadonlySet<ActivityCategory> = new Set(['job', 'key', 'minion']);

export class EventHub {
  readonly ringSize: number;
  readonly queueLimit: number;
  readonly keepaliveMs: number;
  readonly maxStreamMs: number;
  readonly #now: () => number;
  /** Circular buffer: `#ring[(#start + i) % size]` for i < #count, oldest first. */
  readonly #ring: ActivityEvent[];
  #start = 0;
  #count = 0;
  #lastId = 0;
  readonly #subs = new Set<Subscription>();
  #status: StreamStatus;
  /** Counters for the bench and diagnostics. */
  readonly stats = { published: 0, dropped: 0 };

  constructor(o: EventHubOptions = {}) {
    this.ringSize = o.ringSize ?? 1000;
    this.queueLimit = o.queueLimit ?? 1000;
    this.keepaliveMs = o.keepaliveMs ?? 20_000;
    this.maxStreamMs = o.maxStreamMs ?? 600_000;
    this.#now = o.now ?? Date.now;
    this.#ring = new Array(this.ringSize);
    this.#status = { state: 'off', since: this.#iso(), message: 'The event stream has not started.', last_event_at: null };
  }

  /** The id of the newest published event (0 before any). */
  get lastId(): number {
    return this.#lastId;
  }

  get subscriberCount(): number {
    return this.#subs.size;
  }

  /** Adds persisted events (ascending ids) to the ring and hands them to every subscriber. */
  publish(events: readonly ActivityEvent[]): void {
    if (events.length === 0) return;
    for (const e of events) {
      if (e.id <= this.#lastId) continue; // already published: ids only grow
      const i = (this.#start + this.#count) % this.ringSize;
      this.#ring[i] = e;
      if (this.#count < this.ringSize) this.#count++;
      else this.#start = (this.#start + 1) % this.ringSize;
      this.#lastId = e.id;
    }
    this.stats.published += events.length;
    const last = events[events.length - 1]!;
    if (this.#status.last_event_at === null || last.at > this.#status.last_event_at) this.#status = { ...this.#status, last_event_at: last.at };
    for (const s of [...this.#subs]) if (!s.offer(events)) this.stats.dropped++;
  }

  /**
   * The ring's events after `afterId` (all of them for null), or null when the ring does not reach
   * back that far — the caller then reads the database.
   */
  replay(afterId: number | null): ActivityEvent[] | null {
    const all: ActivityEvent[] = [];
    for (let i = 0; i < this.#count; i++) all.push(this.#ring[(this.#start + i) % this.ringSize]!);
    if (afterId === null) return all;
    if (all.length === 0) return null; // fresh process: the database may hold what the client missed
    if (afterId < all[0]!.id - 1) return null;
    return all.filter((e) => e.id > afterId);
  }

  /** A new subscriber seeing only `categories` (default: all). */
  subscribe(categories: ReadonlySet<ActivityCategory> = ALL): Subscription {
    const s = new Subscription(categories, this.queueLimit, (x) => this.#subs.delete(x));
    this.#subs.add(s);
    return s;
  }

  status(): StreamStatus {
    return { ...this.#status };
  }

  /** Records the upstream stream state and tells every subscriber. */
  setStatus(state: StreamStatus['state'], message: string | null): void {
    const prev = this.#status;
    if (prev.state === state && prev.message === message) return;
    this.#status = { state, message, since: prev.state === state ? prev.since : this.#iso(), last_event_at: prev.last_event_at };
    for (const s of this.#subs) s.offerStatus(this.status());
  }

  /** Sends a named notice to the subscribers allowed to see `category`. */
  announce(category: ActivityCategory, event: string, data = ''): void {
    for (const s of this.#subs) s.offerNotice({ category, event, data });
  }

  /** Ends every subscription (process shutdown). */
  closeAll(): void {
    for (const s of [...this.#subs]) s.close();
  }

  #iso(): string {
    return new Date(this.#now()).toISOString();
  }
}
