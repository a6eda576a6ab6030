/**
 * @module
 * The status banner every page carries: Salt not configured, unreachable, login failing, or data
 * older than it should be. Computed per page render from the runtime's status.
 */
import type { Context } from 'hono';
import type { AppEnv } from './env.ts';
import { staleDataBanner } from '../runtime-pollers.ts';

export interface Banner {
  kind: 'warn' | 'error';
  message: string;
  /** Where to fix it, when the user can. */
  href?: string;
}

/** The banner for this request, or null when all is well. */
export async function bannerFor(c: Context<AppEnv>): Promise<Banner | null> {
  const runtime = c.var.deps.runtime;
  if (!runtime) return null;
  const s = runtime.status();
  switch (s.state) {
    case 'ok':
    case 'connecting':
      return runtime.pollerStatus ? staleDataBanner(runtime.pollerStatus(), (c.var.deps.now?.() ?? new Date()).getTime()) : null;
    case 'unconfigured':
      return { kind: 'warn', message: 'Salt is not configured: pages show what the database holds.', href: '/settings' };
    case 'login_failed':
      return {
        kind: 'error',
        message: `salt-api refused the login${s.message ? `: ${s.message}` : ''}.${s.nextRetryAt ? ` Retrying at ${s.nextRetryAt}.` : ''}`,
        href: '/settings',
      };
    case 'unreachable':
      return {
        kind: 'error',
        message: `salt-api is unreachable since ${s.since}${s.message ? ` (${s.message})` : ''}; showing stored data.`,
      };
  }
}
