/** @module The page layout: head, navigation, the status banner slot and the main content. */
import type { CurrentUser } from '../src/auth/context.ts';
import type { NavEntry } from '../src/http/nav.ts';
import type { Banner } from '../src/http/banner.ts';

export interface LayoutProps {
  title: string;
  active: string;
  user: CurrentUser | null;
  csrfToken: string | null;
  nav: NavEntry[];
  /** Counts shown next to navigation entries, by entry key. */
  badges?: Record<string, number>;
  banner: Banner | null;
  assets: { css: string; htmx: string; sse: string; js: string; icon: string };
  children: JSX.Element;
}

// htmx 2 does not swap 4xx/5xx bodies by default; ours are readable error fragments, so swap them.
const HTMX_CONFIG = JSON.stringify({
  responseHandling: [
    { code: '204', swap: false },
    { code: '[23]..', swap: true },
    { code: '[45]..', swap: true, error: true },
  ],
  historyCacheSize: 0,
  includeIndicatorStyles: false,
});

/** A count next to a navigation entry (pending keys); nothing when zero. */
function NavBadge({ entry, count }: { entry: string; count: number }): string {
  if (!count) return '';
  return (
    <>
      {' '}
      <span class="badge badge-warn" id={`nav-badge-${entry}`} safe>
        {String(count)}
      </span>
    </>
  ) as string;
}

/** The whole page. Every untrusted leaf is escaped with `safe`. */
export function Layout(p: LayoutProps): string {
  const { children } = p;
  const hxHeaders = p.csrfToken ? JSON.stringify({ 'X-CSRF-Token': p.csrfToken }) : undefined;
  return (
    <>
      {'<!doctype html>'}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="color-scheme" content="light dark" />
          <meta name="htmx-config" content={HTMX_CONFIG} />
          {p.csrfToken ? <meta name="csrf-token" content={p.csrfToken} /> : ''}
          <title safe>{`${p.title} · Halite`}</title>
          <link rel="icon" href={p.assets.icon} type="image/svg+xml" />
          <link rel="stylesheet" href={p.assets.css} />
          <script src={p.assets.htmx} defer></script>
          <script src={p.assets.sse} defer></script>
          <script src={p.assets.js} defer></script>
        </head>
        <body hx-headers={hxHeaders}>
          <header class="topbar">
            <a class="brand" href="/">
              Halite
            </a>
            <nav class="nav" aria-label="Main">
              {p.nav.map((e) => (
                <a href={e.href} class={e.key === p.active ? 'active' : undefined} data-section={e.section}>
                  <span safe>{e.label}</span>
                  <NavBadge entry={e.key} count={p.badges?.[e.key] ?? 0} />
                </a>
              ))}
            </nav>
            <div class="user">
              {p.user ? (
                <>
                  <span class="muted" safe>
                    {p.user.displayName || p.user.username}
                  </span>
                  <form method="post" action="/api/auth/logout" class="inline">
                    {p.csrfToken ? <input type="hidden" name="_csrf" value={p.csrfToken} /> : ''}
                    <button type="submit" class="link">
                      Sign out
                    </button>
                  </form>
                </>
              ) : (
                ''
              )}
            </div>
          </header>
          <div id="banner" class="banner-slot">
            {p.banner ? (
              <div class={`banner banner-${p.banner.kind}`} role="status">
                <span safe>{p.banner.message}</span>
                {p.banner.href ? (
                  <>
                    {' '}
                    <a href={p.banner.href}>Open settings</a>
                  </>
                ) : (
                  ''
                )}
              </div>
            ) : (
              ''
            )}
          </div>
          <main id="main">
            <h1 safe>{p.title}</h1>
            {children}
          </main>
        </body>
      </html>
    </>
  ) as string;
}
