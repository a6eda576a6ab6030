/** @module The minion list fragment: the stale warning, filter chips, exports, the table and the pager. */
import type { Minion, MinionPage, MinionQuery, SnapshotStatus } from '../../src/minions/schemas.ts';
import { hrefWith, paramsOf, type ListParams } from './query.ts';

const KEY_BADGE: Record<Minion['key_status'], string> = {
  accepted: 'badge badge-ok',
  pending: 'badge badge-warn',
  rejected: 'badge badge-err',
  denied: 'badge badge-err',
};

/** The key status as a badge. */
export function KeyBadge({ status }: { status: Minion['key_status'] }): string {
  return (<span class={KEY_BADGE[status]}>{status}</span>) as string;
}

/** The warning shown when the snapshot is older than ten minutes (or was never taken). */
export function StaleWarning({ snapshot }: { snapshot: SnapshotStatus }): string {
  const failing = snapshot.parts.filter((p) => p.last_error && (!p.last_success_at || p.last_error_at! > p.last_success_at));
  if (!snapshot.stale && failing.length === 0) return '';
  return (
    <div class="alert alert-warn" id="minion-snapshot-warning" role="status">
      {snapshot.updated_at === null ? (
        <p>No complete snapshot of the minions yet: the list fills in once Salt has been polled.</p>
      ) : snapshot.stale ? (
        <p safe>{`The minion snapshot is older than ten minutes (last complete at ${snapshot.updated_at}); showing stored data.`}</p>
      ) : (
        ''
      )}
      {failing.map((p) => (
        <p>
          <strong>{p.part}</strong>
          {': '}
          <span safe>{`last poll failed at ${p.last_error_at}: ${p.last_error}`}</span>
        </p>
      ))}
    </div>
  ) as string;
}

const CHIP_LABEL: Record<string, string> = { key_status: 'key', present: 'present', os: 'os', saltversion: 'salt', role: 'role', q: 'text' };

function Chips({ params }: { params: ListParams }): string {
  const active = Object.entries(params).filter(([k]) => k in CHIP_LABEL);
  if (active.length === 0) return '';
  return (
    <p class="toolbar" id="minion-chips">
      {active.map(([k, v]) => (
        <a class="badge" href={hrefWith('/minions', params, { [k]: undefined, offset: undefined })} title="Remove this filter">
          <span safe>{`${CHIP_LABEL[k]}: ${v}`}</span> ×
        </a>
      ))}
      <a href="/minions">Clear all</a>
    </p>
  ) as string;
}

function SortHeader({ label, col, params }: { label: string; col: string; params: ListParams }): string {
  const current = params.sort ?? 'id';
  const next = current === col ? `-${col}` : col;
  const mark = current === col ? ' ▲' : current === `-${col}` ? ' ▼' : '';
  return (
    <th>
      <a href={hrefWith('/minions', params, { sort: next === 'id' ? undefined : next, offset: undefined })} safe>
        {label + mark}
      </a>
    </th>
  ) as string;
}

/** The fragment `GET /api/minions` returns to htmx (and the list page embeds). */
export function MinionResults({ page, query }: { page: MinionPage; query: MinionQuery }): string {
  const params = paramsOf(query);
  const { offset, limit, total } = page;
  const api = (change: ListParams) => hrefWith('/api/minions', params, change);
  return (
    // Re-read (same query) when the activity stream says the minions table caught up with events.
    <section id="minion-results" hx-get={api({})} hx-trigger="sse:minions-refreshed" hx-swap="outerHTML">
      <StaleWarning snapshot={page.snapshot} />
      <Chips params={params} />
      <p class="toolbar">
        <span class="muted" id="minion-total" safe>
          {`${total} minion${total === 1 ? '' : 's'}`}
        </span>
        <a href={api({ format: 'csv', limit: undefined, offset: undefined })} download="minions.csv">Export CSV</a>
        <a href={api({ format: 'json', limit: undefined, offset: undefined })} download="minions.json">Export JSON</a>
      </p>
      <table class="table">
        <thead>
          <tr>
            <SortHeader label="Minion" col="id" params={params} />
            <SortHeader label="Key" col="key_status" params={params} />
            <th>Present</th>
            <SortHeader label="IP" col="ip" params={params} />
            <SortHeader label="OS" col="os" params={params} />
            <SortHeader label="Salt" col="saltversion" params={params} />
            <th>Roles</th>
            <SortHeader label="Last seen" col="last_seen" params={params} />
          </tr>
        </thead>
        <tbody>
          {page.data.length === 0 ? (
            <tr>
              <td colspan="8" class="muted">
                No minion matches.
              </td>
            </tr>
          ) : (
            page.data.map((m) => (
              <tr id={`minion-${m.id}`}>
                <td>
                  <a href={`/minions/${encodeURIComponent(m.id)}`} safe>
                    {m.id}
                  </a>
                </td>
                <td>
                  <KeyBadge status={m.key_status} />
                </td>
                <td>{m.present ? <span class="badge badge-ok">up</span> : <span class="badge">down</span>}</td>
                <td class="mono" safe>{m.ip ?? ''}</td>
                <td safe>{[m.os, m.osrelease].filter(Boolean).join(' ')}</td>
                <td safe>{m.saltversion ?? ''}</td>
                <td safe>{m.roles.join(', ')}</td>
                <td class="muted" safe>{m.last_seen ?? 'never'}</td>
              </tr>
            ))
          )}
        </tbody>
      </table>
      <nav class="pager" aria-label="Pages">
        {offset > 0 ? (
          <a href={hrefWith('/minions', params, { offset: String(Math.max(0, offset - limit)) })} hx-get={api({ offset: String(Math.max(0, offset - limit)) })} hx-target="#minion-results" hx-swap="outerHTML">
            ← Previous
          </a>
        ) : (
          ''
        )}
        <span class="muted" safe>
          {total === 0 ? '' : `${offset + 1}–${Math.min(offset + limit, total)} of ${total}`}
        </span>
        {offset + limit < total ? (
          <a href={hrefWith('/minions', params, { offset: String(offset + limit) })} hx-get={api({ offset: String(offset + limit) })} hx-target="#minion-results" hx-swap="outerHTML">
            Next →
          </a>
        ) : (
          ''
        )}
      </nav>
    </section>
  ) as string;
}
