/**
 * @module
 * Live refresh for any page, without polling: wrap the part of the page that shows Salt data in
 * `<LiveRegion categories={['job']}>`; it opens one SSE connection to `/api/activity/stream`
 * (`format=html`, no replay), which sends, for every kept event the user may see:
 *
 * - `job-changed` / `key-changed` / `minion-changed` with the jid or minion id as data
 *   (a key event also sends `minion-changed`: the minion's key badge changed);
 * - the same per subject, `job-changed-<jid>`, `minion-changed-<id>`, `key-changed-<id>`
 *   (the name from `changedEventName()`), so a row can refresh only itself.
 *
 * A row refreshes itself with htmx's SSE trigger (the element must be inside the LiveRegion):
 *
 * ```tsx
 * <tr id={`job-${jid}`} hx-get={`/api/jobs/${jid}/row`} hx-swap="outerHTML"
 *     hx-trigger={liveTrigger('job', jid)}>…</tr>
 * ```
 *
 * and a list or a counter refreshes on any change: `hx-trigger="sse:minion-changed"`, typically
 * with `delay:1s` or `throttle:2s` so a burst of events causes one request.
 */
import { changedEventName } from '../../src/activity/sse.ts';
import type { ActivityCategory } from '../../src/activity/normalize.ts';

export { changedEventName };

/** `hx-trigger` value refreshing an element when its subject changes. */
export function liveTrigger(category: ActivityCategory, id: string): string {
  return `sse:${changedEventName(category, id)}`;
}

/** The SSE connection for the `*-changed` events of the given categories. */
export function LiveRegion({ categories, children, id }: { categories: ActivityCategory[]; children: JSX.Element; id?: string }): string {
  const url = `/api/activity/stream?format=html&after=now&category=${categories.join(',')}`;
  return (
    <div id={id} class="live-region" hx-ext="sse" sse-connect={url}>
      {children}
    </div>
  ) as string;
}
