import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import { faceOf, prefersHtml } from './negotiate.ts';

const app = new Hono().get('/', (c) => c.text(faceOf(c)));
const face = async (headers: Record<string, string>) => (await app.request('/', { headers })).text();

test('JSON by default, including for curl and fetch', async () => {
  assert.equal(await face({}), 'json');
  assert.equal(await face({ Accept: '*/*' }), 'json');
  assert.equal(await face({ Accept: 'application/json' }), 'json');
});

test('an htmx request gets the fragment', async () => {
  assert.equal(await face({ 'HX-Request': 'true', Accept: '*/*' }), 'fragment');
});

test('boosted and history-restore htmx requests get the whole page', async () => {
  assert.equal(await face({ 'HX-Request': 'true', 'HX-Boosted': 'true' }), 'page');
  assert.equal(await face({ 'HX-Request': 'true', 'HX-History-Restore-Request': 'true' }), 'page');
});

test('a browser navigation gets the page', async () => {
  assert.equal(await face({ Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' }), 'page');
});

test('prefersHtml honours q values', () => {
  assert.equal(prefersHtml('application/json, text/html;q=0.5'), false);
  assert.equal(prefersHtml('text/html;q=0'), false);
  assert.equal(prefersHtml('text/html;q=0.9, application/json;q=0.1'), true);
});
