/**
 * @module
 * Which face a request wants: JSON (the API contract), an HTML fragment (htmx) or a full page
 * (browser navigation). Boosted and history-restore requests also send HX-Request but need the
 * whole page, so they count as pages.
 */
import type { Context } from 'hono';

export type Face = 'json' | 'fragment' | 'page';

/** Decides the face from the request headers. */
export function faceOf(c: Context): Face {
  const hx = c.req.header('HX-Request') === 'true';
  const boosted = c.req.header('HX-Boosted') === 'true';
  const restore = c.req.header('HX-History-Restore-Request') === 'true';
  if (hx && !boosted && !restore) return 'fragment';
  const accept = c.req.header('Accept') ?? '';
  if (hx || prefersHtml(accept)) return 'page';
  return 'json';
}

/** True when text/html is acceptable and ranked above application/json. */
export function prefersHtml(accept: string): boolean {
  let html = -1;
  let json = -1;
  for (const part of accept.split(',')) {
    const [type, ...params] = part.trim().toLowerCase().split(';');
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number.parseFloat(qParam.slice(2)) || 0 : 1;
    if (type === 'text/html') html = Math.max(html, q);
    if (type === 'application/json') json = Math.max(json, q);
  }
  return html > 0 && html > json;
}

/** Marks a response as varying by the negotiation headers, for caches. */
export function setVary(c: Context): void {
  c.header('Vary', 'HX-Request, Accept');
}
