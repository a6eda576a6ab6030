/**
 * @module
 * Package version ordering, as the package managers themselves define it — never text order:
 * - Debian: `dpkg --compare-versions` (lib/dpkg/version.c `dpkg_version_compare` / `verrevcmp`):
 *   `[epoch:]upstream[-revision]`; within a part, non-digit runs compare with `~` before
 *   everything (even the end), letters before non-letters, then digit runs numerically.
 * - RPM: `rpmvercmp` (rpmio/rpmvercmp.c) on `[epoch:]version[-release]`: alphanumeric segments,
 *   separators ignored, numeric segments newer than alphabetic ones, `~` sorts before everything
 *   and `^` after the end but before anything else.
 * The minion's `os_family` grain picks the scheme ({@link schemeForOsFamily}).
 */

/** Which ordering a version follows. */
export type VersionScheme = 'deb' | 'rpm';

/** The comparison operators the inventory search accepts. */
export const VERSION_OPERATORS = ['<', '<=', '=', '>=', '>'] as const;
export type VersionOperator = (typeof VERSION_OPERATORS)[number];

/** Debian-like systems use dpkg; RedHat and Suse families (and their kin) use rpm. */
export function schemeForOsFamily(osFamily: string | null | undefined): VersionScheme | null {
  if (!osFamily) return null;
  if (osFamily === 'Debian') return 'deb';
  if (['RedHat', 'Suse', 'Mandriva', 'Mageia', 'OpenEuler'].includes(osFamily)) return 'rpm';
  return null;
}

const isDigit = (c: string) => c >= '0' && c <= '9';
const isAlpha = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');

function sign(n: number): -1 | 0 | 1 {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/** dpkg's `order()`: digits and the end are 0, `~` is -1, letters sort before other characters. */
function debOrder(c: string | undefined): number {
  if (c === undefined || isDigit(c)) return 0;
  if (isAlpha(c)) return c.charCodeAt(0);
  if (c === '~') return -1;
  return c.charCodeAt(0) + 256;
}

/** dpkg's `verrevcmp` over one part (upstream version or revision). */
export function debPartCompare(a: string, b: string): -1 | 0 | 1 {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const ac = debOrder(a[i]);
      const bc = debOrder(b[j]);
      if (ac !== bc) return sign(ac - bc);
      i++;
      j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    let firstDiff = 0;
    while (i < a.length && j < b.length && isDigit(a[i]) && isDigit(b[j])) {
      if (!firstDiff) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (i < a.length && isDigit(a[i])) return 1;
    if (j < b.length && isDigit(b[j])) return -1;
    if (firstDiff) return sign(firstDiff);
  }
  return 0;
}

interface Evr {
  epoch: number;
  version: string;
  /** null when the version string has no `-release`. */
  release: string | null;
}

/** Splits `[epoch:]version[-release]` (the release after the last hyphen, as dpkg and rpm do). */
export function parseEvr(v: string): Evr {
  const s = v.trim();
  const m = /^(\d+):(.*)$/.exec(s);
  const epoch = m ? Number(m[1]) : 0;
  const rest = m ? m[2] : s;
  const dash = rest.lastIndexOf('-');
  return dash < 0 ? { epoch, version: rest, release: null } : { epoch, version: rest.slice(0, dash), release: rest.slice(dash + 1) };
}

/** `dpkg --compare-versions a cmp b` as -1, 0, 1. A missing revision is the empty one. */
export function compareDebian(a: string, b: string): -1 | 0 | 1 {
  const x = parseEvr(a);
  const y = parseEvr(b);
  if (x.epoch !== y.epoch) return x.epoch > y.epoch ? 1 : -1;
  return debPartCompare(x.version, y.version) || debPartCompare(x.release ?? '', y.release ?? '');
}

const isAlnum = (c: string) => isDigit(c) || isAlpha(c);

/** rpm's `rpmvercmp` over one part (version or release). */
export function rpmvercmp(a: string, b: string): -1 | 0 | 1 {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(a[i]) && a[i] !== '~' && a[i] !== '^') i++;
    while (j < b.length && !isAlnum(b[j]) && b[j] !== '~' && b[j] !== '^') j++;
    // `~` sorts before everything else, the end of the string included.
    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1;
      if (b[j] !== '~') return -1;
      i++;
      j++;
      continue;
    }
    // `^` sorts after the end of the string but before anything else.
    if (a[i] === '^' || b[j] === '^') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== '^') return 1;
      if (b[j] !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (!(i < a.length && j < b.length)) break;
    const numeric = isDigit(a[i]);
    const take = numeric ? isDigit : isAlpha;
    let ie = i;
    let je = j;
    while (ie < a.length && take(a[ie])) ie++;
    while (je < b.length && take(b[je])) je++;
    // Segments of different kinds: the numeric one is newer.
    if (je === j) return numeric ? 1 : -1;
    let sa = a.slice(i, ie);
    let sb = b.slice(j, je);
    if (numeric) {
      sa = sa.replace(/^0+/, '');
      sb = sb.replace(/^0+/, '');
      if (sa.length !== sb.length) return sa.length > sb.length ? 1 : -1;
    }
    if (sa !== sb) return sa < sb ? -1 : 1;
    i = ie;
    j = je;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

/**
 * rpm's EVR comparison (`rpmVersionCompare`): epoch (missing = 0), then version, then release.
 * As in rpm's dependency ranges, a side without a release matches any release, so a search for
 * `= 2.36` finds `2.36-9.el9`.
 */
export function compareRpm(a: string, b: string): -1 | 0 | 1 {
  const x = parseEvr(a);
  const y = parseEvr(b);
  if (x.epoch !== y.epoch) return x.epoch > y.epoch ? 1 : -1;
  const v = rpmvercmp(x.version, y.version);
  if (v !== 0 || x.release === null || y.release === null) return v;
  return rpmvercmp(x.release, y.release);
}

/** Compares two versions of one scheme. */
export function compareVersions(scheme: VersionScheme, a: string, b: string): -1 | 0 | 1 {
  return scheme === 'rpm' ? compareRpm(a, b) : compareDebian(a, b);
}

/** Whether `installed <op> wanted` holds in the scheme's ordering. */
export function satisfies(scheme: VersionScheme, installed: string, op: VersionOperator, wanted: string): boolean {
  const c = compareVersions(scheme, installed, wanted);
  switch (op) {
    case '<': return c < 0;
    case '<=': return c <= 0;
    case '=': return c === 0;
    case '>=': return c >= 0;
    case '>': return c > 0;
  }
}
