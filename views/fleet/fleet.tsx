/**
 * @module
 * The fleet fragments: the counts by health status, the state ids failing on the most minions,
 * the per-minion table with its filters and pager, and the page (with the trend chart).
 */
import type { FleetHealth, FleetQuery, MinionHealth } from '../../src/fleet/schemas.ts';
import { HEALTH_STATUSES, type HealthStatus } from '../../src/fleet/model.ts';
import { FleetTrend } from './trend.tsx';

const BADGE: Record<HealthStatus, string> = {
  healthy: 'badge badge-ok', changed: 'badge badge-changed', unhealthy: 'badge badge-err', blocked: 'badge badge-err', stale: 'badge badge-warn', unknown: 'badge',
};

type Params = Partial<Record<'status' | 'q' | 'state' | 'limit' | 'offset', string>>;

function paramsOf(q: FleetQuery): Params {
  const p: Params = {};
  if (q.status) p.status = q.status;
  if (q.q) p.q = q.q;
  if (q.state) p.state = q.state;
  if (q.limit !== 50) p.limit = String(q.limit);
  if (q.offset) p.offset = String(q.offset);
  return p;
}

/** `path?query` with some parameters changed (undefined removes one). */
export function fleetHref(path: string, p: Params, change: Params = {}): string {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...p, ...change })) if (v !== undefined && v !== '') s.set(k, v);
  const qs = s.toString();
  return qs ? `${path}?${qs}` : path;
}

function Row({ m }: { m: MinionHealth }): string {
  return (
    <tr id={`health-${m.minion_id}`}>
      <td>
        <a href={`/minions/${encodeURIComponent(m.minion_id)}`} safe>
          {m.minion_id}
        </a>
      </td>
      <td>
        <span class={BADGE[m.status]}>{m.status}</span>
      </td>
      <td>
        {m.jid ? (
          <a href={`/jobs/${encodeURIComponent(m.jid)}`} class="mono" safe>
            {`${m.function ?? ''} ${m.jid}`}
          </a>
        ) : (
          <span class="muted">never</span>
        )}
      </td>
      <td class="muted" safe>{m.run_at ?? ''}</td>
      <td>{m.jid ? `${m.passed} ok · ${m.changed} changed · ${m.failed} failed` : ''}</td>
      <td>
        {m.failing_states.map((s) => (
          <a class="badge badge-err" href={fleetHref('/fleet', { state: s })} safe>
            {s}
          </a>
        ))}
        {m.errors.length ? (
          <span class="field-error" safe>
            {m.errors[0]}
          </span>
        ) : (
          ''
        )}
      </td>
    </tr>
  ) as string;
}

/** The fragment `GET /api/fleet/health` returns to htmx: counts, top failing states, the table. */
export function FleetResults({ report, query }: { report: FleetHealth; query: FleetQuery }): string {
  const params = paramsOf(query);
  const { offset, limit, total, counts } = report;
  const api = (change: Params) => fleetHref('/api/fleet/health', params, change);
  const nav = (to: number) => ({ href: fleetHref('/fleet', params, { offset: to ? String(to) : undefined }), 'hx-get': api({ offset: String(to) }) });
  return (
    <section id="fleet-results">
      <div class="cards" id="fleet-counts">
        {HEALTH_STATUSES.map((s) => (
          <a class="card" href={fleetHref('/fleet', {}, { status: s })} hx-get={api({ status: s, offset: undefined })} hx-target="#fleet-results" hx-swap="outerHTML">
            <span class={BADGE[s]}>{s}</span> <strong safe>{String(counts[s])}</strong>
          </a>
        ))}
      </div>
      <p class="muted" safe>{`${counts.total} minions · stale after ${report.stale_after_days} days without a state run`}</p>
      {report.top_failing.length ? (
        <div class="card" id="fleet-top-failing">
          <h2>Failing on the most minions</h2>
          <ol>
            {report.top_failing.map((f) => (
              <li>
                <a href={fleetHref('/fleet', { state: f.state_id })} safe>
                  {f.state_id}
                </a>{' '}
                <span class="muted" safe>{`on ${f.minions} minion${f.minions === 1 ? '' : 's'}`}</span>
              </li>
            ))}
          </ol>
        </div>
      ) : (
        ''
      )}
      {query.status || query.q || query.state ? (
        <p class="toolbar">
          <span class="muted" safe>{`${total} matching · filtered by ${[query.status, query.q && `“${query.q}”`, query.state && `state ${query.state}`].filter(Boolean).join(', ')}`}</span>
          <a href="/fleet">Clear filters</a>
        </p>
      ) : (
        ''
      )}
      <table class="table">
        <thead>
          <tr>
            <th>Minion</th>
            <th>Health</th>
            <th>Latest state run</th>
            <th>Started</th>
            <th>States</th>
            <th>Failing</th>
          </tr>
        </thead>
        <tbody>
          {report.data.length === 0 ? (
            <tr>
              <td colspan="6" class="muted">
                No minion matches.
              </td>
            </tr>
          ) : (
            report.data.map((m) => <Row m={m} />)
          )}
        </tbody>
      </table>
      <nav class="pager" aria-label="Pages">
        {offset > 0 ? (
          <a {...nav(Math.max(0, offset - limit))} hx-target="#fleet-results" hx-swap="outerHTML">
            ← Previous
          </a>
        ) : (
          ''
        )}
        <span class="muted" safe>
          {total === 0 ? '' : `${offset + 1}–${Math.min(offset + limit, total)} of ${total}`}
        </span>
        {offset + limit < total ? (
          <a {...nav(offset + limit)} hx-target="#fleet-results" hx-swap="outerHTML">
            Next →
          </a>
        ) : (
          ''
        )}
      </nav>
    </section>
  ) as string;
}

/** The Fleet page body: the trend, the filters, the results. */
export function FleetPage({ report, query, today }: { report: FleetHealth; query: FleetQuery; today: string }): string {
  return (
    <>
      <FleetTrend trend={report.trend} today={today} />
      <form id="fleet-filters" class="toolbar" method="get" action="/fleet" role="search" hx-get="/api/fleet/health" hx-trigger="change, submit" hx-target="#fleet-results" hx-swap="outerHTML">
        <label>
          <span>Minion</span>
          <input type="search" name="q" value={query.q ?? ''} autocomplete="off" hx-get="/api/fleet/health" hx-trigger="input changed delay:300ms, search" hx-include="closest form" hx-target="#fleet-results" hx-swap="outerHTML" />
        </label>
        <label>
          <span>Health</span>
          <select name="status">
            <option value="">any</option>
            {HEALTH_STATUSES.map((s) => (
              <option value={s} selected={s === query.status}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>Failing state</span>
          <input name="state" value={query.state ?? ''} autocomplete="off" />
        </label>
        <button type="submit">Filter</button>
      </form>
      <FleetResults report={report} query={query} />
    </>
  ) as string;
}
