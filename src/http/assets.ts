/**
 * @module
 * Static assets (htmx, its SSE extension, the CSS) held in memory and served with cache headers.
 * The store is built by the Node entry (src/server.ts) from public/, so the app itself only sees
 * bytes and content types.
 */
import { Hono } from 'hono';

export interface Asset {
  body: Uint8Array;
  contentType: string;
  /** A short content hash, used as the `?v=` cache buster and the ETag. */
  hash: string;
}

/** Assets by URL path under /static (e.g. `/static/htmx.min.js`). */
export type AssetStore = ReadonlyMap<string, Asset>;

/** The URL to reference an asset with: versioned so it can be cached forever. */
export function assetUrl(store: AssetStore, path: string): string {
  const asset = store.get(path);
  return asset ? `${path}?v=${asset.hash}` : path;
}

/** Serves the store under /static. A versioned URL is immutable; a bare one revalidates. */
export function staticRoutes(store: AssetStore): Hono {
  const app = new Hono();
  app.get('/static/*', (c) => {
    const asset = store.get(c.req.path);
    if (!asset) return c.text('Not found', 404);
    const etag = `"${asset.hash}"`;
    const headers: Record<string, string> = {
      'Content-Type': asset.contentType,
      ETag: etag,
      'Cache-Control': c.req.query('v') === asset.hash ? 'public, max-age=31536000, immutable' : 'public, max-age=300',
      'X-Content-Type-Options': 'nosniff',
    };
    if (c.req.header('If-None-Match') === etag) return c.body(null, 304, headers);
    return c.body(asset.body as Uint8Array<ArrayBuffer>, 200, headers);
  });
  return app;
}
