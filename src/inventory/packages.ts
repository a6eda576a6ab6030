/**
 * @module
 * Reading one minion's `pkg.list_pkgs` return into a sorted package set with a content hash.
 * Salt answers `{name: "version"}`; a package installed in several versions (kernels on RPM)
 * comes as `"v1,v2"`, or as a list with `versions_as_list=True`. Anything else (a string such as
 * `"'pkg.list_pkgs' is not available."`) is not a package set.
 */
import { createHash } from 'node:crypto';
import { schemeForOsFamily } from './version.ts';
import type { PackageSource } from './model.ts';

/** A minion's packages as `[name, version]` pairs sorted by name then version. */
export type PackageSet = [name: string, version: string][];

/** One minion's package set, ready for the write layer. */
export interface MinionPackages {
  minionId: string;
  source: PackageSource;
  osFamily: string | null;
  packages: PackageSet;
  hash: string;
  jid: string;
}

/** The package format of an os_family. */
export function sourceOf(osFamily: string | null | undefined): PackageSource {
  return schemeForOsFamily(osFamily) ?? 'other';
}

/** The package set of one return, or null when the return is not a package dict. */
export function parsePackageSet(ret: unknown): PackageSet | null {
  if (!ret || typeof ret !== 'object' || Array.isArray(ret)) return null;
  const out: PackageSet = [];
  for (const [name, v] of Object.entries(ret as Record<string, unknown>)) {
    const versions = Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split(',') : typeof v === 'number' ? [String(v)] : [];
    for (const version of new Set(versions.map((s) => s.trim()).filter(Boolean))) out.push([name, version]);
  }
  const order = (a: [string, string], b: [string, string]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
  // Salt usually answers in name order already: checking is linear, sorting is not.
  for (let i = 1; i < out.length; i++) {
    if (order(out[i - 1], out[i]) > 0) return out.sort(order);
  }
  return out;
}

/** The content hash of a sorted package set (and its source, which is stored with every row). */
export function packageSetHash(source: PackageSource, set: PackageSet): string {
  let text = source;
  for (const [n, v] of set) text += `\n${n}\u0000${v}`;
  return createHash('sha1').update(text).digest('base64');
}

/** Builds the write layer's input for one minion's return (null when it is not a package dict). */
export function minionPackages(minionId: string, osFamily: string | null, jid: string, ret: unknown): MinionPackages | null {
  const packages = parsePackageSet(ret);
  if (!packages) return null;
  const source = sourceOf(osFamily);
  return { minionId, source, osFamily, packages, hash: packageSetHash(source, packages), jid };
}
