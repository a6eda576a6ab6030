/**
 * @module
 * The inventory fragments: the package rows (with the CSV export and the pager), one package's
 * versions, the version-comparison results, the OS / salt-version breakdown, and the page around
 * them. Pure functions of the service results; every untrusted leaf is escaped.
 */
import type {
  InventoryBreakdown, InventoryPackagePage, InventoryQuery, PackageVersions, VersionSearchBody, VersionSearchResult,
} from '../../src/inventory/schemas.ts';
import { PACKAGE_SOURCES } from '../../src/inventory/model.ts';
import { VERSION_OPERATORS } from '../../src/inventory/version.ts';

type Params = Partial<Record<'q' | 'source' | 'minion' | 'limit' | 'offset' | 'format', string>>;

function paramsOf(q: InventoryQuery): Params {
  const p: Params = {};
  if (q.q) p.q = q.q;
  if (q.source) p.source = q.source;
  if (q.minion) p.minion = q.minion;
  if (q.limit !== 100) p.limit = String(q.limit);
  if (q.offset) p.offset = String(q.offset);
  return p;
}

/** `path?query` with some parameters changed (undefined removes one). */
export function inventoryHref(path: string, p: Params, change: Params = {}): string {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...p, ...change })) if (v !== undefined && v !== '') s.set(k, v);
  const qs = s.toString();
  return qs ? `${path}?${qs}` : path;
}

const versionsHref = (name: string) => `/api/inventory/packages/${encodeURIComponent(name)}/versions`;

/** The package rows fragment (`GET /api/inventory/packages` to htmx). */
export function PackageResults({ page, query }: { page: InventoryPackagePage; query: InventoryQuery }): string {
  const params = paramsOf(query);
  const { offset, limit, total } = page;
  const api = (change: Params) => inventoryHref('/api/inventory/packages', params, change);
  const pager = (to: number) => ({ href: inventoryHref('/inventory', params, { offset: to ? String(to) : undefined }), 'hx-get': api({ offset: String(to) }) });
  return (
    <section id="package-results">
      <p class="toolbar">
        <span class="muted" id="package-total" safe>
          {`${total}${page.total_capped ? '+' : ''} row${total === 1 ? '' : 's'} · ${page.inventory.minions} minions inventoried${page.inventory.updated_at ? `, last change ${page.inventory.updated_at}` : ''}`}
        </span>
        <a href={api({ format: 'csv', limit: undefined, offset: undefined })} download="inventory.csv">
          Export CSV
        </a>
      </p>
      {page.inventory.minions === 0 ? (
        <div class="alert alert-info">No package inventory yet: it fills in once the inventory poller has run.</div>
      ) : (
        ''
      )}
      <table class="table">
        <thead>
          <tr>
            <th>Package</th>
            <th>Version</th>
            <th>Source</th>
            <th>Minion</th>
          </tr>
        </thead>
        <tbody>
          {page.data.length === 0 ? (
            <tr>
              <td colspan="4" class="muted">
                No package matches.
              </td>
            </tr>
          ) : (
            page.data.map((r) => (
              <tr>
                <td>
                  <a href={versionsHref(r.name)} hx-get={versionsHref(r.name)} hx-target="#package-detail" hx-swap="innerHTML" safe>
                    {r.name}
                  </a>
                </td>
                <td class="mono" safe>{r.version}</td>
                <td>{r.source}</td>
                <td>
                  <a href={`/minions/${encodeURIComponent(r.minion_id)}`} safe>
                    {r.minion_id}
                  </a>
                </td>
              </tr>
            ))
          )}
        </tbody>
      </table>
      <nav class="pager" aria-label="Pages">
        {offset > 0 ? (
          <a {...pager(Math.max(0, offset - limit))} hx-target="#package-results" hx-swap="outerHTML">
            ← Previous
          </a>
        ) : (
          ''
        )}
        <span class="muted" safe>
          {total === 0 ? '' : `${offset + 1}–${Math.min(offset + limit, total)} of ${total}${page.total_capped ? '+' : ''}`}
        </span>
        {offset + limit < total ? (
          <a {...pager(offset + limit)} hx-target="#package-results" hx-swap="outerHTML">
            Next →
          </a>
        ) : (
          ''
        )}
      </nav>
    </section>
  ) as string;
}

/** One package's versions, newest first, with how many minions run each. */
export function PackageVersionsView({ versions }: { versions: PackageVersions }): string {
  return (
    <section id={`package-versions`} class="card">
      <h2 safe>{`${versions.name}: ${versions.versions.length} version${versions.versions.length === 1 ? '' : 's'} on ${versions.minions} minions`}</h2>
      <table class="table">
        <thead>
          <tr>
            <th>Version</th>
            <th>Source</th>
            <th>Minions</th>
          </tr>
        </thead>
        <tbody>
          {versions.versions.map((v) => (
            <tr>
              <td class="mono" safe>{v.version}</td>
              <td>{v.source}</td>
              <td safe>{String(v.minions)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  ) as string;
}

/** The version-comparison form (its results replace `#version-results`). */
export function VersionSearchForm({ values, csrfToken, errors = {} }: { values?: Partial<VersionSearchBody>; csrfToken: string | null; errors?: Record<string, string> }): string {
  return (
    <form id="version-search" class="toolbar" method="post" action="/api/inventory/packages/search" hx-post="/api/inventory/packages/search" hx-target="#version-results" hx-swap="innerHTML">
      {csrfToken ? <input type="hidden" name="_csrf" value={csrfToken} /> : ''}
      <label>
        <span>Package</span>
        <input name="name" required value={values?.name ?? ''} placeholder="openssl" aria-invalid={errors.name ? 'true' : undefined} />
      </label>
      <label>
        <span>Operator</span>
        <select name="operator">
          {VERSION_OPERATORS.map((op) => (
            <option value={op} selected={op === (values?.operator ?? '<')}>
              {op}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>Version</span>
        <input name="version" required value={values?.version ?? ''} placeholder="3.0.11-1~deb12u2" aria-invalid={errors.version ? 'true' : undefined} />
      </label>
      <button type="submit" class="primary">
        Find minions
      </button>
      {Object.entries(errors).map(([field, message]) => (
        <span class="field-error" safe>{`${field}: ${message}`}</span>
      ))}
    </form>
  ) as string;
}

/** The minions whose installed version satisfies the comparison. */
export function VersionSearchResults({ result }: { result: VersionSearchResult }): string {
  return (
    <section id="version-search-result">
      <p safe>
        {`${result.total} minion row${result.total === 1 ? '' : 's'} with ${result.name} ${result.operator} ${result.version}` +
          (result.matched_versions.length ? ` (versions: ${result.matched_versions.map((v) => `${v.version} ×${v.minions}`).join(', ')})` : '')}
      </p>
      <table class="table">
        <thead>
          <tr>
            <th>Minion</th>
            <th>Version</th>
            <th>Source</th>
          </tr>
        </thead>
        <tbody>
          {result.data.map((r) => (
            <tr>
              <td>
                <a href={`/minions/${encodeURIComponent(r.minion_id)}`} safe>
                  {r.minion_id}
                </a>
              </td>
              <td class="mono" safe>{r.version}</td>
              <td>{r.source}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {result.total > result.offset + result.data.length ? <p class="muted" safe>{`Showing ${result.data.length} of ${result.total}; use the API's limit and offset for the rest.`}</p> : ''}
    </section>
  ) as string;
}

/** Accepted minions by OS and salt version. */
export function BreakdownView({ breakdown }: { breakdown: InventoryBreakdown }): string {
  return (
    <section id="inventory-breakdown" class="cards">
      <div class="card">
        <h2>Operating systems</h2>
        <table class="table">
          <tbody>
            {breakdown.os.map((r) => (
              <tr>
                <td safe>{[r.os ?? 'unknown', r.osrelease ?? ''].join(' ').trim()}</td>
                <td safe>{String(r.minions)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div class="card">
        <h2>Salt versions</h2>
        <table class="table">
          <tbody>
            {breakdown.saltversion.map((r) => (
              <tr>
                <td safe>{r.saltversion ?? 'unknown'}</td>
                <td safe>{String(r.minions)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  ) as string;
}

/** The whole Inventory page body. */
export function InventoryPage(p: { page: InventoryPackagePage; query: InventoryQuery; breakdown: InventoryBreakdown; csrfToken: string | null }): string {
  return (
    <>
      <BreakdownView breakdown={p.breakdown} />
      <h2>Find minions by version</h2>
      <VersionSearchForm csrfToken={p.csrfToken} />
      <div id="version-results"></div>
      <h2>Packages</h2>
      <form id="package-filters" class="toolbar" method="get" action="/inventory" role="search" hx-get="/api/inventory/packages" hx-trigger="change, submit" hx-target="#package-results" hx-swap="outerHTML">
        <label>
          <span>Package name</span>
          <input type="search" name="q" value={p.query.q ?? ''} placeholder="prefix, or *ssl*" autocomplete="off" hx-get="/api/inventory/packages" hx-trigger="input changed delay:300ms, search" hx-include="closest form" hx-target="#package-results" hx-swap="outerHTML" />
        </label>
        <label>
          <span>Source</span>
          <select name="source">
            <option value="">any</option>
            {PACKAGE_SOURCES.map((s) => (
              <option value={s} selected={s === p.query.source}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>Minion</span>
          <input name="minion" value={p.query.minion ?? ''} autocomplete="off" />
        </label>
        <button type="submit">Filter</button>
      </form>
      <div id="package-detail"></div>
      <PackageResults page={p.page} query={p.query} />
    </>
  ) as string;
}
