/**
 * The Keys page in a real browser: Halite (in-process, embedded database) connected to the lab
 * simulator, whose db01 key is pending. An operator accepts it on the keys page and sees it move
 * to the accepted list without reloading; the minion list shows the new status at once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { browserSkipReason, watchConsole, startConsoleOnSimulator, signInThroughForm, type ConsoleUnderTest } from './harness.ts';
import type { RunningHalite } from '../../src/start.ts';
import { startSimulator, type Simulator } from '../../sim/server.ts';

const skip = browserSkipReason();
let sim: Simulator | undefined;
let halite: RunningHalite | undefined;
let browser: Browser | undefined;
let ui: ConsoleUnderTest | undefined;

before(async () => {
  if (skip) return;
  sim = await startSimulator({ preset: 'lab', jobDurationMs: 20, presenceIntervalMs: 0 });
  ui = await startConsoleOnSimulator(sim, { users: [{ username: 'otto', password: 'otto-password-123', roles: ['operator'] }] });
  ({ halite, browser } = ui);
  // The boot runs the minions poller once; wait for it so the navigation badge has its count.
  await halite.runtime.runPoller('minions');
});
after(async () => {
  await ui?.stop();
});

test('an operator accepts the pending key on the keys page and sees it move to accepted', { skip: skip ?? false }, async () => {
  const page = await browser!.newPage();
  const errors = watchConsole(page);
  await signInThroughForm(page, halite!.url, { username: 'otto', password: 'otto-password-123' }, '/keys');

  const row = page.locator('#key-db01');
  assert.equal(await row.getAttribute('data-status'), 'pending');
  assert.match(await page.locator('#keys-pending').textContent() ?? '', /Pending \(1\)/);
  await row.locator('button', { hasText: 'Accept' }).click();
  // The outcome appears, then the list reloads itself on `keys-changed`.
  await page.locator('#key-action-outcome', { hasText: 'Accepted: db01' }).waitFor({ timeout: 10_000 });
  await page.waitForSelector('#key-db01[data-status="accepted"]', { timeout: 10_000 });
  assert.match(await page.locator('#keys-pending').textContent() ?? '', /Pending \(0\)/);
  assert.equal(sim!.fleet.keyState('db01'), 'accepted');

  // The snapshot followed at once: the minion list says accepted without waiting for a tick.
  await page.goto(`${halite!.url}/minions?q=db01`);
  assert.match(await page.locator('#minion-db01').textContent() ?? '', /accepted/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the minion list searches as you type and keeps the filters in the address bar', { skip: skip ?? false }, async () => {
  const page = await browser!.newPage();
  const errors = watchConsole(page);
  await signInThroughForm(page, halite!.url, { username: 'otto', password: 'otto-password-123' }, '/minions');
  await page.waitForSelector('#minion-web01');
  await page.fill('input[name=q]', 'web02');
  await page.waitForFunction(() => !document.querySelector('#minion-web01') && !!document.querySelector('#minion-web02'), null, { timeout: 10_000 });
  await page.waitForURL((u) => u.pathname === '/minions' && u.searchParams.get('q') === 'web02');
  assert.match(await page.locator('#minion-total').textContent() ?? '', /^1 minion$/);
  // A filter menu narrows the same way, and its chip appears.
  await page.fill('input[name=q]', '');
  await page.selectOption('select[name=key_status]', 'pending');
  await page.locator('#minion-chips', { hasText: 'key: pending' }).waitFor({ timeout: 10_000 });
  assert.deepEqual(errors, []);
  await page.close();
});
