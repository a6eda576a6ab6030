/**
 * @module
 * The navigation: one entry per feature page, shown to users whose permissions reach it.
 * A feature adds its entry here when its page exists, so the menu never links to nothing.
 */
import type { Context } from 'hono';
import { permits } from '../rbac/glob.ts';
import type { Permission } from '../auth/context.ts';
import type { AppEnv } from './env.ts';

export interface NavEntry {
  key: string;
  label: string;
  href: string;
  /** The permission needed to open the page. */
  verb: string;
  resource: string;
  /** Groups the menu: the fleet first, administration last. */
  section: 'fleet' | 'admin';
  /** A count shown next to the entry (e.g. pending keys); 0 or null shows nothing. */
  badge?: (c: Context<AppEnv>) => Promise<number | null>;
}

const NAV: NavEntry[] = [
  { key: 'home', label: 'Overview', href: '/', verb: 'view', resource: 'dashboard:*', section: 'fleet' },
];

/** Registers a page in the menu (called once per feature at module load; idempotent by key). */
export function addNavEntry(entry: NavEntry): void {
  const i = NAV.findIndex((e) => e.key === entry.key);
  if (i >= 0) NAV[i] = entry;
  else NAV.push(entry);
}

/** The order an operator scans the menu in; features register in import order, which is not it. */
const MENU_ORDER = ['home', 'minions', 'keys', 'jobs', 'run', 'templates', 'activity', 'fleet', 'inventory', 'users', 'roles', 'audit', 'settings'];
const SECTION_ORDER = { fleet: 0, admin: 1 } as const;
const rank = (key: string) => {
  const i = MENU_ORDER.indexOf(key);
  return i < 0 ? MENU_ORDER.length : i;
};

/** The entries the given permissions can open, fleet pages first, administration last. */
export function navFor(granted: readonly Permission[]): NavEntry[] {
  return NAV.filter((e) => permits(granted, e.verb, e.resource)).sort(
    (a, b) => SECTION_ORDER[a.section] - SECTION_ORDER[b.section] || rank(a.key) - rank(b.key),
  );
}

/** The badge counts of the given entries, by key; a failing badge is left out (it never breaks a page). */
export async function navBadges(c: Context<AppEnv>, entries: readonly NavEntry[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  await Promise.all(
    entries.map(async (e) => {
      if (!e.badge) return;
      try {
        const n = await e.badge(c);
        if (n) out[e.key] = n;
      } catch (err) {
        c.var.log?.warn('navigation badge failed', { entry: e.key, error: (err as Error).message });
      }
    }),
  );
  return out;
}
