import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRoute, z } from '@hono/zod-openapi';
import { createApp } from '../main.ts';
import { testSettings } from '../config.ts';
import { createLogger } from '../log.ts';
import type { Db } from '../db/types.ts';
import { createRouter } from './router.ts';
import { respond } from './respond.ts';
import { ErrorBody } from './problem.ts';

const Item = z.object({ name: z.string(), count: z.number().int() }).openapi('TestItem');
const route = createRoute({
  method: 'get',
  path: '/api/test/items/{name}',
  request: {
    params: z.object({ name: z.string().min(1) }),
    query: z.object({ count: z.coerce.number().int().max(500, 'must be ≤ 500').default(1) }),
  },
  responses: { 200: { description: 'ok', content: { 'application/json': { schema: Item }, 'text/html': { schema: z.string() } } } },
});

const logs: string[] = [];
const app = createApp(testSettings(), {
  db: {} as Db,
  logger: createLogger('debug', (l) => logs.push(l)),
  assets: new Map(),
});
app.route(
  '/',
  createRouter()
    .openapi(route, (c) => {
      const { name } = c.req.valid('param');
      const { count } = c.req.valid('query');
      return respond(c, {
        schema: Item,
        data: { name, count },
        title: 'Item',
        view: (d) => <p id="item" safe>{`${d.name} × ${d.count}`}</p>,
      });
    })
    .get('/api/test/boom', () => {
      throw new Error('secret internals: password=hunter2');
    }),
);

test('one handler, three faces, with Vary', async () => {
  const json = await app.request('/api/test/items/web01?count=3');
  assert.equal(json.status, 200);
  assert.equal(json.headers.get('Vary'), 'HX-Request, Accept');
  assert.deepEqual(Item.parse(await json.json()), { name: 'web01', count: 3 });

  const fragment = await app.request('/api/test/items/web01?count=3', { headers: { 'HX-Request': 'true' } });
  const html = await fragment.text();
  assert.match(fragment.headers.get('Content-Type') ?? '', /text\/html/);
  assert.equal(html, '<p id="item">web01 × 3</p>');

  const page = await app.request('/api/test/items/web01', { headers: { Accept: 'text/html' } });
  const full = await page.text();
  assert.match(full, /^<!doctype html>/);
  assert.match(full, /<p id="item">web01 × 1<\/p>/);
  assert.match(full, /<title>Item · Halite<\/title>/);
});

test('untrusted data is escaped in the fragment', async () => {
  const res = await app.request(`/api/test/items/${encodeURIComponent('<script>alert(1)</script>')}`, {
    headers: { 'HX-Request': 'true' },
  });
  const html = await res.text();
  assert.doesNotMatch(html, /<script>/);
  assert.match(html, /&lt;script>alert\(1\)&lt;\/script>/);
});

test('bad input is a 422 naming the field, in both faces', async () => {
  const json = await app.request('/api/test/items/web01?count=9999');
  assert.equal(json.status, 422);
  const body = ErrorBody.parse(await json.json());
  assert.equal(body.error, 'validation_failed');
  assert.deepEqual(body.fields, [{ field: 'count', message: 'must be ≤ 500' }]);

  const frag = await app.request('/api/test/items/web01?count=x', { headers: { 'HX-Request': 'true' } });
  assert.equal(frag.status, 422);
  const html = await frag.text();
  assert.match(html, /role="alert"/);
  assert.match(html, /<code>count<\/code>/);
});

test('an unexpected error is a generic 500 with the request id, logged with its stack', async () => {
  const res = await app.request('/api/test/boom');
  assert.equal(res.status, 500);
  const body = ErrorBody.parse(await res.json());
  assert.equal(body.error, 'internal_error');
  assert.ok(body.request_id);
  assert.equal(res.headers.get('X-Request-Id'), body.request_id);
  assert.doesNotMatch(JSON.stringify(body), /secret internals|hunter2|at /);
  const logged = logs.map((l) => JSON.parse(l)).find((r) => r.msg === 'unhandled error');
  assert.ok(logged, 'the error is logged');
  assert.equal(logged.request_id, body.request_id);
  assert.match(logged.stack, /respond\.test\.tsx/);
});

test('every request is logged as one structured line', async () => {
  logs.length = 0;
  await app.request('/api/test/items/web01');
  const rec = logs.map((l) => JSON.parse(l)).find((r) => r.msg === 'request');
  assert.equal(rec.method, 'GET');
  assert.equal(rec.path, '/api/test/items/web01');
  assert.equal(rec.status, 200);
  assert.equal(typeof rec.duration_ms, 'number');
  assert.ok(rec.request_id);
});

test('unknown paths are 404 in the face asked for', async () => {
  const res = await app.request('/nope');
  assert.equal(res.status, 404);
  assert.equal(ErrorBody.parse(await res.json()).error, 'not_found');
  const page = await app.request('/nope', { headers: { Accept: 'text/html' } });
  assert.match(await page.text(), /<!doctype html>/);
});
