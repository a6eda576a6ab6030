/**
 * @module
 * Browser tests: playwright-core driving Debian's Chromium at /usr/bin/chromium (never a
 * downloaded browser). `.ci/run` installs the `chromium` package when it is missing; without it the
 * browser suites are skipped with a one-line reason.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startProcess, type RunningServer } from '../support/process.ts';
import { testSettings } from '../../src/config.ts';
import { silentLogger } from '../../src/log.ts';
import { startHalite as startHaliteInProcess, type RunningHalite } from '../../src/start.ts';
import { updateSettings } from '../../src/settings/service.ts';
import type { AppSettingsUpdate } from '../../src/settings/schemas.ts';
import { createUser } from '../../src/users/service.ts';
import { PermissionCache } from '../../src/rbac/service.ts';
import type { Simulator } from '../../sim/server.ts';

export const CHROMIUM = process.env.HALITE_CHROMIUM ?? '/usr/bin/chromium';

/** Why the browser suites cannot run here, or null when they can. */
export function browserSkipReason(): string | null {
  return existsSync(CHROMIUM) ? null : `no Chromium at ${CHROMIUM} (apt-get install chromium; .ci/run does)`;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // As root in a sandbox-less container; background networking would hit the closed network.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Starts `npm start`'s server on a free port with a temp data dir. */
export async function startHalite(env: Record<string, string> = {}): Promise<RunningServer & { dataDir: string }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'halite-browser-'));
  const server = await startProcess(['node', '--import', 'tsx', 'src/server.ts'], {
    env: { HALITE_PORT: '0', HALITE_DATA_DIR: dataDir, HALITE_LOG_LEVEL: 'info', ...env },
  });
  return {
    ...server,
    dataDir,
    async stop() {
      const code = await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}

/** Collects console errors and page errors, so a test can assert there were none. */
export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

/** A user the console under test is seeded with. */
export interface SeedUser {
  username: string;
  password: string;
  roles: string[];
}

/** Halite in-process on a temp embedded database, connected to a simulator, and a browser. */
export interface ConsoleUnderTest {
  halite: RunningHalite;
  browser: Browser;
  /** Closes the browser, stops Halite, closes the simulator and removes the data dir. */
  stop(): Promise<void>;
}

/**
 * Starts Halite with its settings pointing at `sim` (plus `settings`) and `users` created, waits
 * for the boot, and launches Chromium. The caller starts the simulator, since tests shape it.
 */
export async function startConsoleOnSimulator(
  sim: Simulator,
  o: { users: SeedUser[]; settings?: AppSettingsUpdate },
): Promise<ConsoleUnderTest> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'halite-browser-'));
  const settings = testSettings({ host: '127.0.0.1', port: 0, dataDir, databaseUrl: null });
  const halite = await startHaliteInProcess(settings, silentLogger, {
    beforeBoot: async (db) => {
      const salt: AppSettingsUpdate = { salt_api_url: sim.url, salt_api_eauth: 'auto', salt_api_username: 'saltdev', salt_api_password: 'x' };
      await updateSettings(db, settings.secretKey!, { ...salt, ...o.settings }, 'test');
      for (const u of o.users) {
        await createUser(db, new PermissionCache(), { username: u.username, password: u.password, roles: u.roles, must_change_pw: false });
      }
    },
  });
  await halite.booted;
  const browser = await launchBrowser();
  return {
    halite,
    browser,
    async stop() {
      await browser.close();
      await halite.stop();
      await sim.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Signs in through the login form and waits until the browser lands on `next` (its path). */
export async function signInThroughForm(page: Page, baseUrl: string, user: { username: string; password: string }, next: string): Promise<void> {
  await page.goto(`${baseUrl}/login?next=${encodeURIComponent(next)}`);
  await page.fill('#f-username', user.username);
  await page.fill('#f-password', user.password);
  await page.click('#login-form button[type=submit]');
  await page.waitForURL((u) => u.pathname === next.split('?')[0]);
}
