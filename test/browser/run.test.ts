/**
 * The run page in a real browser against the simulator's fleet (30 generated minions; the
 * accepted ones all kept up): sign in as an operator, preview `test.ping` on `*`, confirm by
 * typing the minion count (more than the default threshold of 10), run, and watch every return
 * arrive in the live panel from the activity stream, the progress bar at its maximum.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { browserSkipReason, watchConsole, startConsoleOnSimulator, signInThroughForm, type ConsoleUnderTest } from './harness.ts';
import { startSimulator, type Simulator } from '../../sim/server.ts';
import type { RunningHalite } from '../../src/start.ts';

const skip = browserSkipReason();
let sim: Simulator | undefined;
let halite: RunningHalite | undefined;
let browser: Browser | undefined;
let ui: ConsoleUnderTest | undefined;
const PASSWORD = 'operator-password-123';

before(async () => {
  if (skip) return;
  // Returns take 1.5 s, so the page's event stream is connected before they arrive.
  sim = await startSimulator({ minions: 30, seed: 7, jobDurationMs: 1500, presenceIntervalMs: 0, history: 0 });
  for (const id of sim.fleet.accepted()) sim.fleet.setPresence(id, true);
  ui = await startConsoleOnSimulator(sim, { users: [{ username: 'olga', password: PASSWORD, roles: ['operator'] }], settings: { event_stream_enabled: true } });
  ({ halite, browser } = ui);
});
after(async () => {
  await ui?.stop();
});

/** Waits until the minion snapshot has the fleet's keys (the minions poller runs at boot). */
async function snapshotReady(): Promise<void> {
  const deadline = Date.now() + 20_000;
  const { minionSnapshots } = await import('../../src/minions/model.ts');
  while (Date.now() < deadline) {
    const rows = await halite!.handle.db.select({ id: minionSnapshots.id }).from(minionSnapshots);
    if (rows.length >= sim!.fleet.size) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the minions poller did not fill the snapshot');
}

test('run test.ping on the fleet: preview, typed confirmation, every return arrives live', { skip: skip ?? false }, async () => {
  assert.equal(halite!.runtime.status().state, 'ok', JSON.stringify(halite!.runtime.status()));
  await snapshotReady();
  const page = await browser!.newPage();
  const errors = watchConsole(page);
  await signInThroughForm(page, halite!.url, { username: 'olga', password: PASSWORD }, '/run');
  assert.ok(await page.locator('nav.nav a[href="/run"]').count(), 'the menu links to Run');

  await page.fill('#f-target', '*');
  await page.fill('#f-fun', 'test.ping');
  await page.click('button:has-text("Preview")');
  await page.waitForSelector('#run-preview .run-preview');
  const accepted = sim!.fleet.accepted();
  const n = String(accepted.length);
  assert.ok(accepted.length > 10 && accepted.length < sim!.fleet.size, `${n} of ${sim!.fleet.size} keys accepted`);
  assert.equal(await page.textContent('#run-preview-count'), n, 'only accepted minions are targeted');
  assert.equal(await page.getAttribute('#run-preview .run-preview', 'data-confirmation'), 'type_count');
  // The docs beside the form came from sys.doc.
  await page.waitForSelector('#run-doc .function-doc');

  // Without the typed count the browser refuses (required); a wrong one the server refuses.
  await page.fill('#f-confirm_count', '3');
  await page.click('#run-preview button[type=submit]');
  await page.waitForSelector('#run-result .alert-error');
  assert.match((await page.textContent('#run-result')) ?? '', /3 does not match/);

  await page.fill('#f-confirm_count', n);
  await page.click('#run-preview button[type=submit]');
  await page.waitForSelector('#run-result .run-progress');
  assert.match(page.url(), /\/run\/\d{20}$/, 'the URL is the run’s own page');
  assert.equal(await page.getAttribute('#run-result .run-progress', 'data-returned'), '0');
  const t0 = Date.now();
  await page.waitForSelector('#run-result .run-progress[data-done="true"]', { timeout: 15_000 });
  // The panel's safety-net timer fires after 5 s; done sooner means the stream's job-changed event refreshed it.
  assert.ok(Date.now() - t0 < 4500, `the returns arrived through the event stream (took ${Date.now() - t0} ms)`);
  const panel = (await page.textContent('#run-result .run-progress')) ?? '';
  assert.match(panel, new RegExp(`${n} returned`));
  assert.match(panel, /0 pending/);
  assert.match(panel, /0 failed/);
  for (const id of accepted) assert.ok(panel.includes(id), `${id} returned`);
  assert.match(panel, /Live from the event stream/);
  assert.equal(await page.getAttribute('#run-result progress', 'value'), n);
  assert.equal(await page.getAttribute('#run-result progress', 'max'), n);
  const jid = /\/run\/(\d{20})$/.exec(page.url())![1];
  assert.ok(await page.locator(`#run-result a[href="/jobs/${jid}"]`).count(), 'links to the job detail');
  // The refused confirmation (422) is expected; htmx logs it.
  assert.deepEqual(errors.filter((e) => !/status of 422|Error Code 422/.test(e)), []);
  await page.close();
});
