import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { browserSkipReason, launchBrowser, startHalite, watchConsole } from './harness.ts';

const skip = browserSkipReason();
let server: Awaited<ReturnType<typeof startHalite>> | undefined;
let browser: Browser | undefined;

before(async () => {
  if (skip) return;
  server = await startHalite();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the layout renders, htmx loads, and the console stays clean', { skip: skip ?? false }, async () => {
  const page = await browser!.newPage();
  const errors = watchConsole(page);
  const failed: string[] = [];
  page.on('response', (r) => {
    if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
  });
  const res = await page.goto(`${server!.url}/`);
  assert.ok(res?.ok(), `GET / answered ${res?.status()}`);
  assert.equal(await page.locator('header.topbar .brand').textContent(), 'Halite');
  assert.ok(await page.locator('#banner').count(), 'the banner slot is in the layout');
  await page.waitForFunction(() => typeof (window as unknown as { htmx?: unknown }).htmx === 'object');
  const version = await page.evaluate(() => (window as unknown as { htmx: { version: string } }).htmx.version);
  assert.match(version, /^2\./);
  // The SSE extension registers itself with htmx; hx-ext="sse" elements need it.
  const scripts = await page.evaluate(() =>
    performance.getEntriesByType('resource').map((e) => (e as PerformanceResourceTiming).name),
  );
  assert.ok(scripts.some((s) => s.includes('/static/vendor/htmx-ext-sse-2.2.4.min.js')), 'the SSE extension loads');
  assert.deepEqual(failed, []);
  assert.deepEqual(errors, []);
  await page.close();
});
