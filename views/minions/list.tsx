/** @module The minion list page: the filter form (search as you type) around the results fragment. */
import type { MinionFacets, MinionPage, MinionQuery } from '../../src/minions/schemas.ts';
import { KEY_STATUSES } from '../../src/minions/model.ts';
import { MinionResults } from './results.tsx';
import { LiveRegion } from '../activity/live.tsx';

function Select(p: { label: string; name: string; value: string | undefined; options: readonly string[]; any?: string }): string {
  return (
    <label>
      <span safe>{p.label}</span>
      <select name={p.name}>
        <option value="" safe>
          {p.any ?? 'any'}
        </option>
        {p.options.map((o) => (
          <option value={o} selected={o === p.value} safe>
            {o}
          </option>
        ))}
      </select>
    </label>
  ) as string;
}

/** The whole page body. The form works without JavaScript (GET /minions); htmx swaps only the results. */
export function MinionListPage({ page, query, facets }: { page: MinionPage; query: MinionQuery; facets: MinionFacets }): string {
  const present = query.present === undefined ? undefined : String(query.present);
  return (
    <>
      <form
        id="minion-filters"
        class="toolbar"
        method="get"
        action="/minions"
        role="search"
        hx-get="/api/minions"
        hx-trigger="change, submit"
        hx-target="#minion-results"
        hx-swap="outerHTML"
      >
        <label>
          <span>Search</span>
          <input
            type="search"
            name="q"
            value={query.q ?? ''}
            placeholder="id, ip or grain value"
            autocomplete="off"
            hx-get="/api/minions"
            hx-trigger="input changed delay:300ms, search"
            hx-include="closest form"
            hx-target="#minion-results"
            hx-swap="outerHTML"
          />
        </label>
        <Select label="Key" name="key_status" value={query.key_status} options={KEY_STATUSES} />
        <Select label="Present" name="present" value={present} options={['true', 'false']} />
        <Select label="OS" name="os" value={query.os} options={facets.os} />
        <Select label="Salt version" name="saltversion" value={query.saltversion} options={facets.saltversion} />
        <Select label="Role" name="role" value={query.role} options={facets.roles} />
        {query.sort !== 'id' ? <input type="hidden" name="sort" value={query.sort} /> : ''}
        <button type="submit">Filter</button>
      </form>
      <LiveRegion categories={['minion', 'key']}>
        <MinionResults page={page} query={query} />
      </LiveRegion>
    </>
  ) as string;
}
