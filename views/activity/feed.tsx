/**
 * @module
 * The activity feed: one table row per kept event (the same row the SSE stream sends to htmx),
 * the stream status badge, the filter toolbar and the feed section that connects to the stream.
 */
import type { ActivityEvent, ActivityPage, ActivityQuery, StreamStatus } from '../../src/activity/schemas.ts';

const KIND_BADGE: Record<string, string> = {
  'key.accept': 'badge-ok',
  'key.reject': 'badge-err',
  'key.delete': 'badge-warn',
  'key.pend': 'badge-warn',
  'minion.start': 'badge-ok',
};
const OUTCOME_BADGE: Record<string, string> = { ok: 'badge-ok', changes: 'badge-changed', failed: 'badge-err' };

/** One event as a table row; `id="activity-<id>"` so a replayed event never appears twice. */
export function ActivityRow({ e }: { e: ActivityEvent }): string {
  const badge = e.outcome ? OUTCOME_BADGE[e.outcome] : KIND_BADGE[e.kind];
  const label = e.outcome ? `${e.kind} ${e.outcome}` : e.kind;
  return (
    <tr id={`activity-${e.id}`} class={`activity-row activity-${e.category}`} data-kind={e.kind} data-id={String(e.id)}>
      <td>
        <time datetime={e.at} safe>
          {e.at.slice(0, 19).replace('T', ' ')}
        </time>
      </td>
      <td>
        <span class={`badge ${badge ?? ''}`} safe>
          {label}
        </span>
      </td>
      <td>{e.minion ? <a href={`/minions/${encodeURIComponent(e.minion)}`} safe>{e.minion}</a> : ''}</td>
      <td>{e.jid ? <a href={`/jobs/${encodeURIComponent(e.jid)}`} safe>{e.jid}</a> : ''}</td>
      <td>
        <span safe>{e.summary}</span>
        {e.backfilled ? (
          <>
            {' '}
            <span class="badge" title="Recovered from the job list after a gap in the event stream">
              recovered
            </span>
          </>
        ) : (
          ''
        )}
      </td>
    </tr>
  ) as string;
}

const STATE_TEXT: Record<StreamStatus['state'], [string, string]> = {
  connected: ['badge-ok', 'Live'],
  connecting: ['badge-warn', 'Connecting to Salt'],
  reconnecting: ['badge-warn', 'Reconnecting to Salt'],
  off: ['badge-err', 'Not live'],
};

/** The upstream stream's state, swapped in place by the `status` SSE event. */
export function StreamStatusBadge({ s }: { s: StreamStatus }): string {
  const [cls, text] = STATE_TEXT[s.state];
  return (
    <span id="activity-status" class="activity-status" data-state={s.state}>
      <span class={`badge ${cls}`} safe>
        {text}
      </span>
      {s.message ? (
        <span class="muted" safe>
          {` ${s.message}`}
        </span>
      ) : (
        ''
      )}
      {s.last_event_at ? (
        <span class="muted" safe>
          {` · last event ${s.last_event_at.slice(0, 19).replace('T', ' ')}`}
        </span>
      ) : (
        ''
      )}
    </span>
  ) as string;
}

/** The query string of a feed request (only the filters that are set). */
export function feedQuery(q: Partial<ActivityQuery>, extra: Record<string, string | number | undefined> = {}): string {
  const p = new URLSearchParams();
  for (const k of ['category', 'kind', 'tag', 'minion', 'jid', 'since', 'until'] as const) {
    const v = q[k];
    if (v !== undefined && v !== '') p.set(k, String(v));
  }
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) p.set(k, String(v));
  return p.toString();
}

function Filters({ q }: { q: ActivityQuery }): string {
  const cat = q.category ?? '';
  return (
    <form class="toolbar" hx-get="/api/activity" hx-target="#activity-feed" hx-swap="outerHTML" hx-push-url="false">
      <label>
        Category
        <select name="category">
          <option value="" selected={cat === ''}>all</option>
          <option value="job" selected={cat === 'job'}>jobs</option>
          <option value="key" selected={cat === 'key'}>keys</option>
          <option value="minion" selected={cat === 'minion'}>minions</option>
        </select>
      </label>
      <label>
        Minion <input name="minion" value={q.minion ?? ''} />
      </label>
      <label>
        Jid <input name="jid" value={q.jid ?? ''} inputmode="numeric" />
      </label>
      <label>
        Tag prefix <input name="tag" value={q.tag ?? ''} placeholder="salt/job/" />
      </label>
      <button type="submit">Filter</button>
    </form>
  ) as string;
}

/**
 * The feed: filters, status, the table and the pager. On the newest page it connects to the
 * stream (`format=html`, resuming after the newest row shown) and new rows are prepended.
 */
export function ActivityFeed({ page, q, status }: { page: ActivityPage; q: ActivityQuery; status: StreamStatus }): string {
  const live = q.before === undefined && q.until === undefined;
  const newest = page.data[0]?.id ?? 0;
  const streamUrl = `/api/activity/stream?${feedQuery({ category: q.category }, { format: 'html', after: newest })}`;
  // Filters other than the category are not applied to the live stream: show live rows only unfiltered.
  const liveRows = live && !q.minion && !q.jid && !q.tag && !q.kind && !q.since;
  return (
    <section id="activity-feed" {...(liveRows ? { 'hx-ext': 'sse', 'sse-connect': streamUrl } : {})}>
      <Filters q={q} />
      <p>
        {liveRows ? (
          <span sse-swap="status" hx-target="#activity-status" hx-swap="outerHTML">
            <StreamStatusBadge s={status} />
          </span>
        ) : (
          <span class="muted">
            Showing stored history; <a href="/activity">back to the live feed</a>.
          </span>
        )}
      </p>
      <table class="table activity">
        <thead>
          <tr>
            <th>Time (UTC)</th>
            <th>Event</th>
            <th>Minion</th>
            <th>Jid</th>
            <th>What</th>
          </tr>
        </thead>
        <tbody id="activity-rows" {...(liveRows ? { 'sse-swap': 'job,key,minion', 'hx-swap': 'afterbegin' } : {})}>
          {page.data.map((e) => (
            <ActivityRow e={e} />
          ))}
        </tbody>
      </table>
      {page.data.length === 0 ? (
        <>
          {/* Live rows arrive after this was rendered: hide it once the table has a row. */}
          <style>{'#activity-feed:has(.activity-row) .activity-empty { display: none; }'}</style>
          <p class="muted activity-empty">No activity recorded yet.</p>
        </>
      ) : (
        ''
      )}
      {page.next_before !== null ? (
        <div class="pager">
          <button hx-get={`/api/activity?${feedQuery(q, { before: page.next_before, limit: q.limit })}`} hx-target="#activity-feed" hx-swap="outerHTML">
            Older
          </button>
        </div>
      ) : (
        ''
      )}
    </section>
  ) as string;
}
