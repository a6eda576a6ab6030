/**
 * @module sim/shape
 * Structural comparison of JSON values for the conformance test: same keys and value types,
 * recursively, while ids, jids, tokens, times and fingerprints may differ. Objects keyed by minion
 * ids, jids, state ids or thread ids are compared as maps: every actual value must have the shape
 * of some recorded value. Arrays likewise: every actual element must match some recorded element.
 */

/** Keys that make an object a map (keyed by data, not by schema). */
const MAP_KEY = /^(\d{20}|\d{9,}|web\d+|db\d+|[a-z]+\d{2,}|.*_\|-.*)$/;

const kind = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

function isMap(o: Record<string, unknown>): boolean {
  const keys = Object.keys(o);
  return keys.length > 0 && keys.every((k) => MAP_KEY.test(k));
}

/** Differences between a recorded value and an actual one; empty when the shapes agree. */
export function shapeDiff(expected: unknown, actual: unknown, path = '$'): string[] {
  const ke = kind(expected);
  const ka = kind(actual);
  if (ke !== ka) return [`${path}: expected ${ke}, got ${ka}`];
  if (ke === 'array') {
    const e = expected as unknown[];
    const a = actual as unknown[];
    if ((e.length === 0) !== (a.length === 0)) return [`${path}: expected ${e.length ? 'a non-empty' : 'an empty'} array, got ${a.length} items`];
    return matchEach(e, a, path);
  }
  if (ke === 'object') {
    const e = expected as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    if (isMap(e) || (Object.keys(e).length === 0 && isMap(a))) {
      if ((Object.keys(e).length === 0) !== (Object.keys(a).length === 0)) {
        return [`${path}: expected ${Object.keys(e).length ? 'a non-empty' : 'an empty'} map, got keys [${Object.keys(a).slice(0, 5).join(', ')}]`];
      }
      if (!isMap(a)) return [`${path}: expected a map keyed by ids, got keys [${Object.keys(a).slice(0, 5).join(', ')}]`];
      return matchEach(Object.values(e), Object.values(a), `${path}{*}`);
    }
    const out: string[] = [];
    for (const k of Object.keys(e)) if (!(k in a)) out.push(`${path}.${k}: missing`);
    for (const k of Object.keys(a)) if (!(k in e)) out.push(`${path}.${k}: unexpected key`);
    for (const k of Object.keys(e)) if (k in a) out.push(...shapeDiff(e[k], a[k], `${path}.${k}`));
    return out;
  }
  return [];
}

/** Every actual element must match the shape of at least one expected element. */
function matchEach(expected: unknown[], actual: unknown[], path: string): string[] {
  const out: string[] = [];
  actual.forEach((item, i) => {
    let best: string[] | null = null;
    for (const candidate of expected) {
      const d = shapeDiff(candidate, item, `${path}[${i}]`);
      if (d.length === 0) return;
      if (!best || d.length < best.length) best = d;
    }
    if (best) out.push(...best);
  });
  return out;
}
