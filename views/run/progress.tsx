/**
 * @module
 * A run followed live: counts, a `<progress>` bar, one row per minion (failing first, then
 * pending), state results through the jobs renderer, and the link to the job detail.
 *
 * The panel refreshes itself from `GET /api/run/{jid}`: on every `job-changed-<jid>` event of the
 * activity stream (the surrounding `sse-connect`), and on a slow timer as a safety net for a return
 * that arrived before the stream connected. With the stream off it polls (the server then asks
 * `jobs.lookup_jid`): every 2 s at first, then less often, so a page left open on a run waiting
 * for a minion that is down does not keep asking salt-api. Once the run is done the refreshed
 * panel carries no trigger, so the refreshing stops.
 */
import type { RunProgress } from '../../src/run/schemas.ts';
import { isStateFunction, parseStateReturn } from '../../src/jobs/state-results.ts';
import { StateResultsView } from '../jobs/state-results.tsx';
import { changedEventName } from '../../src/activity/sse.ts';

const OUTCOME_BADGE: Record<string, string> = { ok: 'badge badge-ok', changes: 'badge badge-changed', failed: 'badge badge-err' };

function pretty(v: unknown): string {
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v, null, 2) ?? String(v);
  } catch {
    return String(v);
  }
}

function MinionRow({ m, isState }: { m: RunProgress['minions'][number]; isState: boolean }): string {
  const badge = m.status === 'pending' ? 'badge' : m.status === 'missing' ? 'badge badge-warn' : (OUTCOME_BADGE[m.outcome ?? ''] ?? 'badge badge-ok');
  const label = m.status === 'pending' ? 'pending' : m.status === 'missing' ? 'no return' : (m.outcome ?? 'returned');
  const parsed = 'return' in m ? parseStateReturn(m.return) : null;
  return (
    <details class="run-minion" id={`run-minion-${m.minion.replace(/[^A-Za-z0-9_-]/g, '_')}`} open={m.outcome === 'failed'}>
      <summary>
        <span class={badge}>{label}</span>{' '}
        <strong safe>{m.minion}</strong>
      </summary>
      {'return' in m ? (
        isState && parsed && parsed.kind !== 'raw' ? (
          <StateResultsView parsed={parsed} minion={m.minion} />
        ) : (
          <pre safe>{pretty(m.return)}</pre>
        )
      ) : m.status === 'returned' ? (
        <p class="muted">The return is loaded when the run is done.</p>
      ) : (
        ''
      )}
    </details>
  ) as string;
}

/** The `hx-trigger` refreshing a run's panel; undefined once it is done. */
export function refreshTrigger(p: Pick<RunProgress, 'jid' | 'done' | 'dispatched_at'>, streamLive: boolean, now: Date): string | undefined {
  if (p.done) return undefined;
  const age = now.getTime() - Date.parse(p.dispatched_at);
  const every = age < 2 * 60_000 ? (streamLive ? 5 : 2) : age < 10 * 60_000 ? 15 : 60;
  return streamLive ? `sse:${changedEventName('job', p.jid)} throttle:1s, every ${every}s` : `every ${every}s`;
}

/** The refreshing panel (swapped whole by its own trigger). */
export function RunProgressView({ p, streamLive, now = new Date() }: { p: RunProgress; streamLive: boolean; now?: Date }): string {
  const trigger = refreshTrigger(p, streamLive, now);
  const isState = isStateFunction(p.fun);
  return (
    <div
      id={`run-progress-${p.jid}`}
      class="run-progress"
      data-done={String(p.done)}
      data-returned={String(p.returned)}
      hx-get={trigger ? `/api/run/${p.jid}` : undefined}
      hx-trigger={trigger}
      hx-swap={trigger ? 'outerHTML' : undefined}
    >
      <p>
        <progress max={String(Math.max(p.targeted, p.returned + p.pending, 1))} value={String(p.returned)}>
          {p.returned} of {p.targeted}
        </progress>{' '}
        <span class="badge badge-ok">{p.returned} returned</span> <span class="badge">{p.pending} pending</span>{' '}
        <span class={p.failed > 0 ? 'badge badge-err' : 'badge'}>{p.failed} failed</span>{' '}
        {p.done ? <span class="badge badge-ok">done</span> : <span class="muted">running…</span>}{' '}
        <a href={`/jobs/${p.jid}`}>job detail</a>
      </p>
      {p.error ? (
        <p class="alert alert-error" role="alert" safe>
          {p.error}
        </p>
      ) : (
        ''
      )}
      {p.batch ? (
        <p class="muted">
          Batch <span safe>{p.batch}</span>: the master runs one batch after the other, each as a job of its own; the returns of this
          function from the targeted minions are counted.
        </p>
      ) : (
        ''
      )}
      <p class="muted">
        {p.source === 'stream' ? 'Live from the event stream.' : 'The event stream is off: asking the master (jobs.lookup_jid).'}{' '}
        {!p.results_loaded && p.returned > 0 ? (
          <button type="button" hx-get={`/api/run/${p.jid}?results=always`} hx-target={`#run-progress-${p.jid}`} hx-swap="outerHTML">
            Load the returns so far
          </button>
        ) : (
          ''
        )}
      </p>
      <div class="run-minions">
        {p.minions.map((m) => (
          <MinionRow m={m} isState={isState} />
        ))}
      </div>
    </div>
  ) as string;
}

/** The whole run: what ran, the link to the job, and the live panel inside the SSE connection. */
export function RunLiveView({ p, streamLive, now }: { p: RunProgress; streamLive: boolean; now?: Date }): string {
  return (
    <section
      id={`run-${p.jid}`}
      class="run-live"
      hx-ext={streamLive ? 'sse' : undefined}
      sse-connect={streamLive ? '/api/activity/stream?format=html&after=now&category=job' : undefined}
    >
      <h2>
        <code safe>{p.fun}</code> on <code safe>{p.target}</code>{' '}
        <span class="muted">
          (<span safe>{p.target_type}</span>
          {p.batch ? (
            <>
              , batch <span safe>{p.batch}</span>
            </>
          ) : (
            ''
          )}
          )
        </span>
      </h2>
      <p class="muted">
        Job{' '}
        <a href={`/jobs/${p.jid}`} safe>
          {p.jid}
        </a>{' '}
        started by <span safe>{p.username}</span> at{' '}
        <time datetime={p.dispatched_at} safe>
          {p.dispatched_at}
        </time>
        {' · '}
        <a href={`/jobs/${p.jid}`}>job detail</a>
      </p>
      <RunProgressView p={p} streamLive={streamLive} now={now} />
    </section>
  ) as string;
}
