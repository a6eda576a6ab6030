/**
 * @module
 * Permission matching. A permission is `(verb, resource glob)`; a check asks for
 * `(verb, resource)`. Both the verb and the resource are matched as **anchored shell globs**:
 *
 * - `*` matches any run of characters **except `:`**, so it never crosses a namespace:
 *   `view:job:*` covers `view:job:20261124…` but `view:*` does not cover `view:job:1`.
 * - `**` matches any run of characters **including `:`**: `**` alone grants everything.
 * - `?` matches one character other than `:`; every other character matches itself.
 * - The whole string must match (anchored at both ends); matching is case-sensitive.
 *
 * The resource string for a check is `<kind>:<name>`, e.g. `job:20261124152907155273`,
 * `salt:test.ping`, `key:web01`; the glob stored on a role is matched against it.
 */

const cache = new Map<string, RegExp>();

/** Compiles a glob to an anchored RegExp (cached; globs come from a handful of roles). */
export function globToRegExp(glob: string): RegExp {
  let re = cache.get(glob);
  if (re) return re;
  let src = '^';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === '*' && glob[i + 1] === '*') {
      src += '.*';
      i++;
    } else if (ch === '*') src += '[^:]*';
    else if (ch === '?') src += '[^:]';
    else src += ch.replace(/[.+^${}()|[\]\\/-]/g, '\\$&');
  }
  re = new RegExp(`${src}$`, 's');
  if (cache.size > 5000) cache.clear();
  cache.set(glob, re);
  return re;
}

/** True when `value` matches `glob` under the rules above. */
export function globMatch(glob: string, value: string): boolean {
  return globToRegExp(glob).test(value);
}

/** True when any granted `(verb, resource glob)` covers the requested `(verb, resource)`. */
export function permits(
  granted: readonly { verb: string; resource: string }[],
  verb: string,
  resource: string,
): boolean {
  return granted.some((p) => globMatch(p.verb, verb) && globMatch(p.resource, resource));
}
