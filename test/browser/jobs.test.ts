/**
 * The jobs pages in a real browser against the simulator's lab: a failed state.apply job opens with
 * the failing minions highlighted and the failing state expanded (the passing one folded); the job
 * list shows it after the poller ran; an operator kills a running job through the confirmed Kill
 * button.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { browserSkipReason, watchConsole, startConsoleOnSimulator, signInThroughForm, type ConsoleUnderTest } from './harness.ts';
import { startSimulator, type Simulator } from '../../sim/server.ts';
import type { RunningHalite } from '../../src/start.ts';
import { SaltApiClient } from '../../src/salt/client.ts';

const skip = browserSkipReason();
let sim: Simulator | undefined;
let halite: RunningHalite | undefined;
let browser: Browser | undefined;
let ui: ConsoleUnderTest | undefined;
let client: SaltApiClient | undefined;
let stateJid = '';
const PASSWORD = 'jobs-password-1234';

before(async () => {
  if (skip) return;
  sim = await startSimulator({ preset: 'lab', jobDurationMs: 5, presenceIntervalMs: 0 });
  client = new SaltApiClient({ url: sim.url, username: 'saltdev', password: 'x', eauth: 'auto' });
  stateJid = (await client.localAsync('web*', 'state.apply', { arg: ['demo'] })).jid;
  await new Promise((r) => setTimeout(r, 50)); // the lab's minions return after 5 ms
  ui = await startConsoleOnSimulator(sim, { users: [
      { username: 'vera', password: PASSWORD, roles: ['viewer'] },
      { username: 'otto', password: PASSWORD, roles: ['operator'] },
    ], settings: { event_stream_enabled: false } });
  ({ halite, browser } = ui);
});
after(async () => {
  await client?.logout().catch(() => {});
  await ui?.stop();
});

function signIn(page: Page, username: string, next: string): Promise<void> {
  return signInThroughForm(page, halite!.url, { username, password: PASSWORD }, next);
}

test('a failed state job: failing minions highlighted, the failing state expanded first', { skip: skip ?? false }, async () => {
  assert.equal(halite!.runtime.status().state, 'ok', JSON.stringify(halite!.runtime.status()));
  const page = await browser!.newPage();
  const errors = watchConsole(page);
  await signIn(page, 'vera', `/jobs/${stateJid}`);
  const web01 = page.locator('#minion-web01');
  assert.equal(await web01.getAttribute('data-failed'), 'true');
  assert.match((await web01.getAttribute('class')) ?? '', /alert-error/);
  const states = web01.locator('details.state');
  assert.equal(await states.first().getAttribute('data-state-id'), 'demo_fail', 'the failing state comes first');
  const fail = web01.locator('details[data-state-id="demo_fail"]');
  const file = web01.locator('details[data-state-id="demo_file"]');
  assert.equal(await fail.evaluate((el) => (el as HTMLDetailsElement).open), true);
  assert.equal(await file.evaluate((el) => (el as HTMLDetailsElement).open), false);
  assert.ok(await fail.locator('text=Command "false" run').isVisible(), 'the failing comment is visible');
  assert.equal(await file.locator('.state-body').isVisible(), false, 'the passing state is folded');
  assert.equal(await page.locator('button:has-text("Kill")').count(), 0, 'no Kill on a complete job');
  // The raw YAML view opens on click.
  await page.click('#job-raw-yaml summary');
  assert.match((await page.textContent('#job-raw-yaml pre')) ?? '', /web01:/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the jobs list shows the job once polled; an operator kills a running job with confirmation', { skip: skip ?? false }, async () => {
  const { jid } = await client!.localAsync('web*', 'test.sleep', { arg: [3600] });
  assert.equal(await halite!.runtime.runPoller('jobs'), 'ran');
  const jobs = halite!.runtime.pollerStatus().find((p) => p.name === 'jobs');
  assert.equal(jobs?.last_error, null, JSON.stringify(jobs));
  const page = await browser!.newPage();
  const errors = watchConsole(page);
  await signIn(page, 'otto', '/jobs');
  await page.waitForSelector(`#job-${stateJid}`);
  assert.equal(await page.getAttribute(`#job-${jid}`, 'data-status'), 'running');
  assert.ok(await page.locator('#job-activity svg').count(), 'the activity chart is drawn');
  // Filtering by function goes through htmx and keeps the address bookmarkable.
  await page.fill('#job-filters input[name=function]', 'state.');
  await page.press('#job-filters input[name=function]', 'Enter');
  await page.waitForFunction(() => document.querySelectorAll('#jobs-table tbody tr').length === 1);
  assert.match(page.url(), /\/jobs\?function=state\./);

  await page.goto(`${halite!.url}/jobs/${jid}`);
  let confirmed = '';
  page.once('dialog', (d) => {
    confirmed = d.message();
    void d.accept();
  });
  await page.click('#job-kill button');
  await page.waitForSelector('#job-kill.alert-ok');
  assert.match(confirmed, new RegExp(`Kill job ${jid} on 2 minions`));
  assert.match((await page.textContent('#job-kill')) ?? '', /Signal 9 sent to job/);
  assert.equal(await halite!.runtime.runPoller('jobs'), 'ran');
  await page.goto(`${halite!.url}/jobs?status=running`);
  assert.equal(await page.locator(`#job-${jid}`).count(), 0, 'complete after the next poll');
  assert.deepEqual(errors, []);
  await page.close();
});
