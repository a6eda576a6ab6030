/**
 * @module
 * Full pages: the layout around a fragment, with what every page shows (who is signed in, the
 * navigation they may use, the Salt status banner, the anti-forgery token htmx sends).
 */
import type { Context } from 'hono';
import type { AppEnv } from './env.ts';
import { Layout, type LayoutProps } from '../../views/layout.tsx';
import { assetUrl } from './assets.ts';
import { bannerFor } from './banner.ts';
import { ANONYMOUS } from '../auth/context.ts';
import { navBadges, navFor } from './nav.ts';

/** Renders the layout around `content` with the request's page context. */
export async function renderPage(
  c: Context,
  page: { title: string; content: JSX.Element; active?: string },
): Promise<string> {
  const ctx = c as Context<AppEnv>;
  const deps = ctx.var.deps;
  const auth = ctx.var.auth ?? ANONYMOUS;
  const url = (path: string) => (deps ? assetUrl(deps.assets, path) : path);
  const nav = auth.user && !auth.user.mustChangePw ? navFor(auth.permissions) : [];
  const props: Omit<LayoutProps, 'children'> = {
    title: page.title,
    active: page.active ?? '',
    user: auth.user,
    csrfToken: auth.session?.csrfToken ?? null,
    nav,
    badges: deps && nav.length ? await navBadges(ctx, nav) : {},
    banner: deps ? await bannerFor(ctx) : null,
    assets: {
      css: url('/static/halite.css'),
      htmx: url('/static/vendor/htmx-2.0.11.min.js'),
      sse: url('/static/vendor/htmx-ext-sse-2.2.4.min.js'),
      js: url('/static/halite.js'),
      icon: url('/static/favicon.svg'),
    },
  };
  return Layout({ ...props, children: await page.content });
}
