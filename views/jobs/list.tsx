/**
 * @module
 * The jobs list fragment: the filter bar (with the Live toggle), the table and the pager. htmx
 * replaces the whole `#jobs` section on every filter change, so the form always shows the filters
 * the rows were read with.
 */
import type { Job, JobPage, JobQuery } from '../../src/jobs/schemas.ts';

export interface JobListProps {
  page: JobPage;
  query: Partial<JobQuery>;
}

/** The status badge: running, or the result summary of a complete job. */
export function JobStatusBadge({ job }: { job: Job }): string {
  if (job.status === 'running') return (<span class="badge badge-warn">running</span>) as string;
  if (!job.result) return (<span class="badge">complete</span>) as string;
  if (job.result.failed > 0) return (<span class="badge badge-err">{job.result.failed} failed</span>) as string;
  const pending = job.minion_count - job.result.returned;
  if (pending > 0) return (<span class="badge badge-warn">{pending} no return</span>) as string;
  return (<span class="badge badge-ok">ok</span>) as string;
}

/** Positional arguments and `{__kwarg__: true, ...}` dicts as one readable line. */
export function formatArguments(args: readonly unknown[]): string {
  return args
    .map((a) => {
      if (a && typeof a === 'object' && !Array.isArray(a) && (a as Record<string, unknown>).__kwarg__) {
        return Object.entries(a as Record<string, unknown>)
          .filter(([k]) => k !== '__kwarg__')
          .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
          .join(' ');
      }
      return typeof a === 'string' ? a : JSON.stringify(a);
    })
    .join(' ');
}

function when(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

function listUrl(query: Partial<JobQuery>, offset: number): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...query, offset })) {
    if (v !== undefined && v !== '' && v !== false) p.set(k, String(v));
  }
  return `/api/jobs?${p}`;
}

function Filters({ query }: { query: Partial<JobQuery> }): string {
  const v = (x: unknown) => (typeof x === 'string' ? x : undefined);
  const local = (x: unknown) => (typeof x === 'string' && x ? x.replace(/(\.\d+)?(Z|[+-]\d{2}:\d{2})$/, '').slice(0, 16) : undefined);
  return (
    <form class="toolbar" id="job-filters" hx-get="/api/jobs" hx-target="#jobs" hx-swap="outerHTML" hx-trigger="submit, change">
      <label>
        Function
        <input name="function" value={v(query.function)} placeholder="state. or test.ping" />
      </label>
      <label>
        Target
        <input name="target" value={v(query.target)} />
      </label>
      <label>
        User
        <input name="user" value={v(query.user)} />
      </label>
      <label>
        Status
        <select name="status">
          <option value="">any</option>
          <option value="running" selected={query.status === 'running'}>
            running
          </option>
          <option value="complete" selected={query.status === 'complete'}>
            complete
          </option>
        </select>
      </label>
      <label>
        From (UTC)
        <input type="datetime-local" name="from" value={local(query.from)} />
      </label>
      <label>
        To (UTC)
        <input type="datetime-local" name="to" value={local(query.to)} />
      </label>
      <label class="live-toggle">
        <span>
          <input type="checkbox" name="live" value="true" checked={query.live === true} /> Live
        </span>
      </label>
      <button type="submit">Filter</button>
    </form>
  ) as string;
}

/** The filter bar, the table and the pager. */
export function JobList({ page, query }: JobListProps): string {
  const end = page.offset + page.data.length;
  return (
    <section id="jobs" data-live={page.live ? 'true' : 'false'}>
      <Filters query={query} />
      {page.live ? (
        <p class="muted">
          Live from the master{page.capped ? ', showing the newest 500 jobs' : ''}.
        </p>
      ) : page.active_at ? (
        ''
      ) : (
        <p class="muted">The running jobs have not been read from the master yet.</p>
      )}
      {/* Re-read the rows (same query and page) when the activity stream says the jobs index caught up with events. */}
      <table id="jobs-table" hx-get={listUrl(query, page.offset)} hx-select="#jobs-table" hx-swap="outerHTML" hx-trigger="sse:jobs-refreshed">
        <thead>
          <tr>
            <th>JID</th>
            <th>Function</th>
            <th>Arguments</th>
            <th>Target</th>
            <th>User</th>
            <th>Started (UTC)</th>
            <th class="num">Minions</th>
            <th>Status</th>
          </tr>
        </thead>
        <tbody>
          {page.data.length === 0 ? (
            <tr>
              <td colspan="8" class="muted">
                No jobs match.
              </td>
            </tr>
          ) : (
            page.data.map((j) => (
              <tr id={`job-${j.jid}`} data-status={j.status}>
                <td>
                  <a href={`/jobs/${j.jid}`} class="mono" safe>
                    {j.jid}
                  </a>
                </td>
                <td>
                  <code safe>{j.function}</code>
                </td>
                <td class="mono" safe>
                  {formatArguments(j.arguments)}
                </td>
                <td safe>{j.target}</td>
                <td safe>{j.user}</td>
                <td safe>{when(j.start_time)}</td>
                <td class="num">{j.minion_count || ''}</td>
                <td>
                  <JobStatusBadge job={j} />
                </td>
              </tr>
            ))
          )}
        </tbody>
      </table>
      <nav class="pager" aria-label="Pages">
        <span class="muted" safe>
          {`${page.total === 0 ? '0' : `${page.offset + 1}–${end}`} of ${page.total}${page.total_capped ? '+' : ''}`}
        </span>
        {page.offset > 0 ? (
          <a href="#" hx-get={listUrl(query, Math.max(0, page.offset - page.limit))} hx-target="#jobs" hx-swap="outerHTML">
            Newer
          </a>
        ) : (
          ''
        )}
        {end < page.total || page.total_capped ? (
          <a href="#" hx-get={listUrl(query, end)} hx-target="#jobs" hx-swap="outerHTML">
            Older
          </a>
        ) : (
          ''
        )}
      </nav>
    </section>
  ) as string;
}
