/**
 * @module
 * `respond()`: one service result, three faces. JSON for API clients (typed by the route's schema),
 * the fragment for htmx, the fragment inside the layout for a browser navigation.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from '@hono/zod-openapi';
import { faceOf, setVary } from './negotiate.ts';
import { renderPage } from './page.ts';

export interface RespondOptions<S extends z.ZodType> {
  /** The route's response schema: it types `data` and documents the JSON face. */
  schema: S;
  data: z.input<S>;
  status?: ContentfulStatusCode;
  /** The fragment: a pure view of the same data. */
  view: (data: z.input<S>) => JSX.Element;
  /** The page title when rendered as a full page. */
  title: string;
  /** The navigation entry to highlight on the full page. */
  active?: string;
}

/** Picks JSON, fragment or page for one result. */
export async function respond<S extends z.ZodType>(c: Context, o: RespondOptions<S>): Promise<Response> {
  setVary(c);
  const status = o.status ?? 200;
  const face = faceOf(c);
  if (face === 'json') return c.json(o.data as object, status);
  const fragment = await o.view(o.data);
  if (face === 'fragment') return c.html(fragment, status);
  return c.html(await renderPage(c, { title: o.title, content: fragment, active: o.active }), status);
}
