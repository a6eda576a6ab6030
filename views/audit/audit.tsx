/** @module The audit log: filters, the table and the pager. */
import type { z } from '@hono/zod-openapi';
import type { AuditPage } from '../../src/audit/schemas.ts';

type Page = z.infer<typeof AuditPage>;

export interface AuditFilters {
  user_id?: string;
  action?: string;
  decision?: string;
  since?: string;
  until?: string;
  limit: number;
}

const DECISION_BADGE: Record<string, string> = { allow: 'badge-ok', ok: 'badge-ok', deny: 'badge-err', error: 'badge-err' };

function pageUrl(f: AuditFilters, offset: number): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v !== undefined && v !== '') q.set(k, String(v));
  q.set('offset', String(offset));
  return `/api/audit?${q}`;
}

export function AuditResults({ page, filters }: { page: Page; filters: AuditFilters }): string {
  return (
    <div id="audit-results">
      <table>
        <thead>
          <tr>
            <th>Time (UTC)</th>
            <th>User</th>
            <th>Action</th>
            <th>Resource</th>
            <th>Decision</th>
            <th>Jid</th>
            <th>From</th>
            <th>Detail</th>
          </tr>
        </thead>
        <tbody>
          {page.data.length === 0 ? (
            <tr>
              <td colspan="8" class="muted">
                No entries match.
              </td>
            </tr>
          ) : (
            page.data.map((e) => (
              <tr>
                <td class="mono" safe>
                  {e.at.replace('T', ' ').slice(0, 19)}
                </td>
                <td safe>{e.username ?? '—'}</td>
                <td safe>{e.action}</td>
                <td class="mono" safe>
                  {e.resource}
                </td>
                <td>
                  <span class={`badge ${DECISION_BADGE[e.decision] ?? ''}`} safe>
                    {e.decision}
                  </span>
                </td>
                <td class="mono" safe>
                  {e.jid ?? ''}
                </td>
                <td class="mono" safe>
                  {e.client_addr ?? ''}
                </td>
                <td safe>{e.detail ?? (e.payload ? JSON.stringify(e.payload) : '')}</td>
              </tr>
            ))
          )}
        </tbody>
      </table>
      <div class="pager">
        {page.offset > 0 ? (
          <button hx-get={pageUrl(filters, Math.max(0, page.offset - page.limit))} hx-target="#audit-results" hx-swap="outerHTML">
            ← Newer
          </button>
        ) : (
          ''
        )}
        <span class="muted" safe>
          {`Entries ${page.data.length ? page.offset + 1 : 0}–${page.offset + page.data.length}`}
        </span>
        {page.data.length === page.limit ? (
          <button hx-get={pageUrl(filters, page.offset + page.limit)} hx-target="#audit-results" hx-swap="outerHTML">
            Older →
          </button>
        ) : (
          ''
        )}
      </div>
    </div>
  ) as string;
}

export function AuditFilterForm({ filters }: { filters: AuditFilters }): string {
  return (
    <form class="toolbar" hx-get="/api/audit" hx-target="#audit-results" hx-swap="outerHTML" hx-trigger="submit, change">
      <label>
        User id
        <input name="user_id" type="number" min="1" value={filters.user_id} />
      </label>
      <label>
        Action
        <input name="action" value={filters.action} placeholder="login, run, accept…" />
      </label>
      <label>
        Decision
        <select name="decision">
          {['', 'allow', 'deny', 'ok', 'error'].map((d) => (
            <option value={d} selected={filters.decision === d} safe>
              {d || 'any'}
            </option>
          ))}
        </select>
      </label>
      <label>
        Since
        <input name="since" type="datetime-local" value={filters.since} />
      </label>
      <label>
        Until
        <input name="until" type="datetime-local" value={filters.until} />
      </label>
      <input type="hidden" name="limit" value={String(filters.limit)} />
      <button type="submit">Filter</button>
    </form>
  ) as string;
}
