/**
 * @module
 * Salt's own matching rules, for resolving targets without asking the master: fnmatch globs
 * (minion ids, key names) and `subdict_match` (grain and pillar expressions). The run preview
 * and the simulator share them, so one fix serves both.
 */

/** fnmatch: `*`, `?`, `[seq]`, `[!seq]`, anchored at both ends. */
export function fnmatchRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) {
        re += '\\[';
        continue;
      }
      let body = glob.slice(i + 1, end);
      if (body.startsWith('!')) body = '^' + body.slice(1);
      re += '[' + body.replace(/\\/g, '\\\\') + ']';
      i = end;
    } else re += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp('^' + re + '$', 's');
}

/** Python's str() of a scalar: what Salt matches grain values against. */
function pyStr(v: unknown): string {
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (v === null || v === undefined) return 'None';
  return String(v);
}

function valueMatches(v: unknown, test: (s: string) => boolean): boolean {
  if (Array.isArray(v)) return v.some((e) => valueMatches(e, test));
  if (v && typeof v === 'object') return Object.keys(v).some(test);
  return test(pyStr(v));
}

/** Salt's `subdict_match`: `key:sub:value`, trying every split point from the longest key path. */
export function subdictMatch(data: Record<string, unknown>, expr: string, regex: boolean): boolean {
  const parts = expr.split(':');
  for (let cut = parts.length - 1; cut >= 1; cut--) {
    let node: unknown = data;
    for (const key of parts.slice(0, cut)) {
      node = node && typeof node === 'object' && !Array.isArray(node) ? (node as Record<string, unknown>)[key] : undefined;
    }
    if (node === undefined) continue;
    const pattern = parts.slice(cut).join(':');
    let re: RegExp;
    try {
      re = regex ? new RegExp(pattern) : fnmatchRegExp(pattern);
    } catch {
      return false;
    }
    if (valueMatches(node, (s) => re.test(s))) return true;
  }
  return false;
}
