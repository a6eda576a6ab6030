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
