/**
 * @module
 * Pages read the database, which the pollers fill; an event says the data just changed. The
 * refresher closes that loop: when job events arrive it runs the `jobs` poller early, when key or
 * minion events arrive the `minions` poller (debounced, at most one run per `minGapMs`), and once
 * the run is done it announces `jobs-refreshed` (or `minions-refreshed` and `keys-refreshed`) on
 * the hub. A page section re-reads itself on that notice:
 *
 * ```html
 * <section id="jobs" hx-get="/api/jobs?…" hx-trigger="sse:jobs-refreshed" hx-swap="outerHTML">
 * ```
 *
 * inside a `LiveRegion` (views/activity/live.tsx). No polling from the browser, no full reload,
 * and never a refresh that shows the data from before the event.
 */
import type { EventHub, Subscription } from './hub.ts';
import type { ActivityCategory } from './normalize.ts';

export interface RefresherOptions {
  hub: EventHub;
  /** Runs a poller now (RuntimeConfig.runPoller): 'skipped' when one is in flight or Salt is down. */
  runPoller: (name: string) => Promise<'ran' | 'skipped'>;
  /** Wait this long after the first event, so a job's new and rets make one run (default 1 s). */
  delayMs?: number;
  /**
   * Least time between two early runs of a poller (default: jobs 5 s; minions 20 s, as its tick
   * reads every minion's grains and a restart storm must not turn into a poll storm).
   */
  minGapMs?: number;
}

/** What each poller's run refreshes, and the notices that say so. */
const TARGETS: Record<string, { categories: ActivityCategory[]; notices: [ActivityCategory, string][]; minGapMs: number }> = {
  jobs: { categories: ['job'], notices: [['job', 'jobs-refreshed']], minGapMs: 5000 },
  minions: { categories: ['key', 'minion'], notices: [['minion', 'minions-refreshed'], ['key', 'keys-refreshed']], minGapMs: 20_000 },
};

/** Starts following the hub; returns how to stop. */
export function startRefresher(o: RefresherOptions): () => void {
  const delayMs = o.delayMs ?? 1000;
  const gapOf = (name: string) => o.minGapMs ?? TARGETS[name]!.minGapMs;
  const lastRun = new Map<string, number>();
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  let stopped = false;
  let sub: Subscription;

  const schedule = (name: string, wait: number) => {
    if (timers.has(name) || stopped) return;
    const t = setTimeout(() => void run(name), wait);
    t.unref?.();
    timers.set(name, t);
  };

  const run = async (name: string) => {
    const since = Date.now() - (lastRun.get(name) ?? 0);
    if (since < gapOf(name)) {
      timers.delete(name);
      return schedule(name, gapOf(name) - since);
    }
    lastRun.set(name, Date.now());
    let outcome: 'ran' | 'skipped' = 'skipped';
    try {
      outcome = await o.runPoller(name);
    } catch {
      // The poller records its own failure; pages keep what they show.
    }
    timers.delete(name);
    if (stopped) return;
    if (outcome === 'ran') for (const [cat, event] of TARGETS[name]!.notices) o.hub.announce(cat, event);
    // A run already in flight started before these events: look again after it.
    else schedule(name, gapOf(name));
  };

  const follow = async () => {
    while (!stopped) {
      sub = o.hub.subscribe();
      for (;;) {
        const batch = await sub.next();
        for (const [name, t] of Object.entries(TARGETS)) {
          if (batch.events.some((e) => t.categories.includes(e.category as ActivityCategory))) schedule(name, delayMs);
        }
        if (batch.closed) break; // dropped (or stopped): subscribe again
      }
    }
  };
  void follow();

  return () => {
    stopped = true;
    sub?.close();
    for (const t of timers.values()) clearTimeout(t);
    timers.clear();
  };
}
