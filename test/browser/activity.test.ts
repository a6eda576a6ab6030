/**
 * The Activity page in a real browser: Halite (in-process, embedded database) connected to the
 * simulator; a job dispatched on the simulator appears on the open page through the SSE stream,
 * and the page's status badge says the feed is live.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { browserSkipReason, watchConsole, startConsoleOnSimulator, signInThroughForm, type ConsoleUnderTest } from './harness.ts';
import type { RunningHalite } from '../../src/start.ts';
import { SaltApiClient } from '../../src/salt/client.ts';
import { startSimulator, type Simulator } from '../../sim/server.ts';

const skip = browserSkipReason();
let sim: Simulator | undefined;
let halite: RunningHalite | undefined;
let browser: Browser | undefined;
let ui: ConsoleUnderTest | undefined;

before(async () => {
  if (skip) return;
  sim = await startSimulator({ preset: 'lab', jobDurationMs: 20, presenceIntervalMs: 0 });
  ui = await startConsoleOnSimulator(sim, { users: [{ username: 'vic', password: 'vic-password-123', roles: ['viewer'] }] });
  ({ halite, browser } = ui);
});
after(async () => {
  await ui?.stop();
});

test('a job dispatched on the simulator appears on the open Activity page', { skip: skip ?? false }, async () => {
  const page = await browser!.newPage();
  const errors = watchConsole(page);
  await signInThroughForm(page, halite!.url, { username: 'vic', password: 'vic-password-123' }, '/activity');
  // The status badge is swapped by the stream's `status` event once the consumer is live.
  await page.waitForSelector('#activity-status[data-state="connected"]', { timeout: 10_000 });
  assert.equal(await page.locator('.activity-empty').isVisible(), true, 'nothing recorded yet');

  const salt = new SaltApiClient({ url: sim!.url, username: 'saltdev', password: 'x', eauth: 'auto' });
  const { jid } = await salt.localAsync('*', 'test.ping');
  const rows = page.locator('#activity-rows tr', { hasText: jid });
  await rows.first().waitFor({ timeout: 10_000 });
  // job.new then one return per accepted minion (web01, web02), newest first.
  await page.waitForFunction((j) => document.querySelectorAll(`#activity-rows tr`).length >= 3 &&
    [...document.querySelectorAll('#activity-rows tr')].filter((r) => r.textContent?.includes(j)).length === 3, jid, { timeout: 10_000 });
  const texts = await rows.allTextContents();
  assert.ok(texts.some((t) => /job\.new/.test(t) && /test\.ping on \*/.test(t)), texts.join('\n'));
  assert.equal(texts.filter((t) => /job\.ret ok/.test(t)).length, 2, texts.join('\n'));
  assert.equal(await page.locator('.activity-empty').isHidden(), true, 'the empty-state line goes once rows arrive');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the keys and jobs pages refresh the rows an event touches, without polling or a reload', { skip: skip ?? false }, async () => {
  const page = await browser!.newPage();
  const errors = watchConsole(page);
  const requests: string[] = [];
  page.on('request', (r) => requests.push(new URL(r.url()).pathname));
  await signInThroughForm(page, halite!.url, { username: 'vic', password: 'vic-password-123' }, '/keys');
  await page.waitForSelector('#key-db01[data-status="pending"]', { timeout: 10_000 });
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));

  const salt = new SaltApiClient({ url: sim!.url, username: 'saltdev', password: 'x', eauth: 'auto' });
  await salt.wheelCall('key.accept', { match: 'db01' });
  // salt/key → the refresher runs the minions poller → keys-refreshed → the list re-reads itself.
  await page.waitForSelector('#key-db01[data-status="accepted"]', { timeout: 15_000 });
  assert.equal(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 42, 'no full reload');
  assert.equal(requests.filter((p) => p === '/api/keys').length, 1, 'one re-read, no polling');

  await page.goto(`${halite!.url}/jobs`);
  await page.waitForSelector('#jobs-table');
  const { jid } = await salt.localAsync('web01', 'test.ping');
  await page.waitForSelector(`#job-${jid}`, { timeout: 15_000 });
  assert.deepEqual(errors, []);
  await page.close();
});
