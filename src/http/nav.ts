/**
 * @module
 * The navigation: one entry per feature page, shown to users whose permissions reach it.
 * A feature adds its entry here when its page exists, so the menu never links to nothing.
 */
import { permits } from '../rbac/glob.ts';
import type { Permission } from '../auth/context.ts';

export interface NavEntry {
  key: string;
  label: string;
  href: string;
  /** The permission needed to open the page. */
  verb: string;
  resource: string;
  /** Groups the menu: the fleet first, administration last. */
  section: 'fleet' | 'admin';
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

/** The entries the given permissions can open. */
export function navFor(granted: readonly Permission[]): NavEntry[] {
  return NAV.filter((e) => permits(granted, e.verb, e.resource));
}
