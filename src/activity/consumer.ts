/**
 * @module
 * The event-stream consumer RuntimeConfig starts while Salt is connected and
 * `event_stream_enabled` is on: one long-lived `/events` connection (the salt client reconnects
 * with backoff and logs in again by itself), each event normalized, repeats suppressed, persisted
 * in batches, then published to the EventHub. It reports the stream status to the hub (the UI
 * shows it), backfills jobs after every gap, and prunes events past the retention period.
 */
import type { StreamConsumerContext, StreamConsumerDefinition } from '../runtime-pollers.ts';
import type { SaltEventStreamStatus } from '../salt/types.ts';
import type { EventHub } from './hub.ts';
import { normalizeEvent, stampOf, type NormalizedEvent } from './normalize.ts';
import { ActivityWriter, type ActivityWriterOptions } from './writer.ts';
import { knownJobs, lastActivityAt, pruneActivity } from './service.ts';
import { listMissedJobs } from './backfill.ts';

export interface ActivityConsumerOptions {
  hub: EventHub;
  now?: () => number;
  /** How often old events are pruned (default hourly; the first prune runs at start). */
  pruneEveryMs?: number;
  /** Overrides for the batching writer (tests, the bench). */
  writer?: Partial<Pick<ActivityWriterOptions, 'flushMs' | 'maxBatch' | 'maxBuffer' | 'retryMs'>>;
  /** A pending key re-authenticates every ~10 s: record it again only after this long (default 1 h). */
  pendRepeatMs?: number;
}

/** Drops a `key.pend` for a minion already recorded as pending within `windowMs`. */
export class PendRepeatFilter {
  readonly #lastPend = new Map<string, number>();
  constructor(readonly windowMs: number) {}

  keep(e: NormalizedEvent, nowMs: number): boolean {
    if (e.category !== 'key' || !e.minion) return true;
    if (e.kind !== 'key.pend') {
      this.#lastPend.delete(e.minion); // the key changed: a later pend is news again
      return true;
    }
    const last = this.#lastPend.get(e.minion);
    if (last !== undefined && nowMs - last < this.windowMs) return false;
    this.#lastPend.set(e.minion, nowMs);
    if (this.#lastPend.size > 100_000) this.#lastPend.clear();
    return true;
  }
}

/** The definition to register: `runtime.registerStreamConsumer(activityConsumer({ hub }))`. */
export function activityConsumer(o: ActivityConsumerOptions): StreamConsumerDefinition {
  return { name: 'activity', start: (ctx) => startActivityConsumer(ctx, o) };
}

/** Starts consuming; resolves to the stop function once the consumer is running. */
export async function startActivityConsumer(ctx: StreamConsumerContext, o: ActivityConsumerOptions): Promise<() => Promise<void>> {
  const { hub } = o;
  const now = o.now ?? Date.now;
  const log = ctx.logger;
  const abort = new AbortController();
  const stopOnParent = () => abort.abort();
  ctx.signal.addEventListener('abort', stopOnParent, { once: true });
  const writer = new ActivityWriter({ db: ctx.db, masterId: ctx.masterId, hub, logger: log, ...o.writer });
  const pends = new PendRepeatFilter(o.pendRepeatMs ?? 3_600_000);
  /** Jobs seen live on this connection, so the backfill does not add them again. */
  const liveJids = new Set<string>();
  /** Since when events may have been missed: the last stored event at start, then each drop. */
  let gapSince: Date | null = await lastActivityAt(ctx.db, ctx.masterId).catch(() => null);
  let lastSeen: Date | null = gapSince;
  let backfilling: Promise<void> = Promise.resolve();

  const backfill = async () => {
    const since = gapSince;
    if (!since || abort.signal.aborted) return;
    try {
      // A few seconds of overlap: jids already stored or seen live are skipped.
      const missed = await listMissedJobs(ctx.salt, new Date(since.getTime() - 5000), (jid) => liveJids.has(jid));
      const known = await knownJobs(ctx.db, ctx.masterId, missed.map((e) => e.jid!));
      const fresh = missed.filter((e) => !known.has(e.jid!) && !liveJids.has(e.jid!));
      for (const e of fresh) await writer.push(e);
      await writer.flush();
      if (gapSince === since) gapSince = null;
      if (fresh.length > 0) log.info('activity backfilled jobs after a gap', { since: since.toISOString(), jobs: fresh.length });
    } catch (e) {
      log.warn('activity backfill failed; retried at the next reconnect', { error: String(e) });
    }
  };

  const onStatus = (s: SaltEventStreamStatus) => {
    if (s.state === 'connected') {
      hub.setStatus('connected', null);
      backfilling = backfilling.then(backfill);
    } else if (s.state === 'reconnecting') {
      gapSince ??= lastSeen ?? new Date(now());
      liveJids.clear();
      const why = s.error?.message ?? 'the stream ended';
      hub.setStatus('reconnecting', `${why}; retrying in ${Math.round((s.delayMs ?? 0) / 100) / 10} s`);
    } else hub.setStatus('connecting', null);
  };

  const prune = async () => {
    try {
      const n = await pruneActivity(ctx.db, ctx.masterId, ctx.settings.activityRetentionDays ?? 30, new Date(now()));
      if (n > 0) log.info('activity events pruned', { deleted: n, retention_days: ctx.settings.activityRetentionDays });
    } catch (e) {
      log.warn('activity prune failed', { error: String(e) });
    }
  };
  void prune();
  const pruneTimer = setInterval(() => void prune(), o.pruneEveryMs ?? 3_600_000);
  pruneTimer.unref?.();

  hub.setStatus('connecting', null);
  const loop = (async () => {
    for await (const ev of ctx.salt.streamEvents({ signal: abort.signal, onStatus })) {
      const received = new Date(now());
      lastSeen = stampOf(ev.data) ?? received;
      const n = normalizeEvent(ev, received);
      if (!n || !pends.keep(n, received.getTime())) continue;
      if (n.kind === 'job.new' && n.jid) {
        liveJids.add(n.jid);
        if (liveJids.size > 50_000) liveJids.clear();
      }
      const wait = writer.push(n);
      if (wait) await wait;
    }
  })().catch((e) => log.error('activity consumer stopped', { error: String(e) }));

  return async () => {
    abort.abort();
    ctx.signal.removeEventListener('abort', stopOnParent);
    clearInterval(pruneTimer);
    await loop;
    await backfilling;
    await writer.close();
    hub.setStatus('off', 'The event stream is stopped.');
  };
}
