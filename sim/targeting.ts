/**
 * @module sim/targeting
 * Salt's minion targeting over the accepted keys of a {@link SimFleet}: glob, list, pcre, grain,
 * grain_pcre, pillar, pillar_pcre, ipcidr, nodegroup and compound (`G@ P@ I@ J@ L@ E@ S@ N@`,
 * `and`/`or`/`not`, parentheses as separate words). Like Salt, only accepted keys are targeted,
 * and a malformed expression simply matches nothing.
 */
import type { SimFleet } from './fleet.ts';
import { fnmatchRegExp as globToRegExp, subdictMatch } from '../src/salt/match.ts';

export { globToRegExp, subdictMatch };

/** The tgt_type values the simulator understands. */
export type TargetType = 'glob' | 'list' | 'pcre' | 'grain' | 'grain_pcre' | 'pillar' | 'pillar_pcre' | 'ipcidr' | 'nodegroup' | 'compound';

function ipToInt(ip: string): number | null {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  return m ? ((+m[1] << 24) | (+m[2] << 16) | (+m[3] << 8) | +m[4]) >>> 0 : null;
}

function cidrTest(expr: string): ((ip: string) => boolean) | null {
  const [addr, bitsText] = expr.split('/');
  const base = ipToInt(addr);
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  if (base === null || !(bits >= 0 && bits <= 32)) return null;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (ip) => { const n = ipToInt(ip); return n !== null && ((n & mask) >>> 0) === ((base & mask) >>> 0); };
}

/** Evaluates one target of a simple type against the candidate ids. */
function matchSimple(fleet: SimFleet, candidates: string[], tgt: unknown, type: string, depth: number): string[] {
  switch (type) {
    case 'glob': {
      if (tgt === '*') return candidates;
      const re = globToRegExp(String(tgt));
      return candidates.filter((id) => re.test(id));
    }
    case 'list': {
      const wanted = new Set(Array.isArray(tgt) ? tgt.map(String) : String(tgt).split(',').map((s) => s.trim()));
      return candidates.filter((id) => wanted.has(id));
    }
    case 'pcre': {
      const re = new RegExp('^(?:' + String(tgt) + ')');
      return candidates.filter((id) => re.test(id));
    }
    case 'grain': case 'grain_pcre':
      return candidates.filter((id) => subdictMatch(fleet.grains(id), String(tgt), type === 'grain_pcre'));
    case 'pillar': case 'pillar_pcre':
      return candidates.filter((id) => subdictMatch(fleet.pillar(id), String(tgt), type === 'pillar_pcre'));
    case 'ipcidr': {
      const test = cidrTest(String(tgt));
      if (!test) return [];
      return candidates.filter((id) => (fleet.grains(id).ipv4 as string[]).some(test));
    }
    case 'nodegroup': {
      const expr = fleet.nodegroups[String(tgt)];
      return expr === undefined || depth > 5 ? [] : matchCompound(fleet, candidates, expr, depth + 1);
    }
    case 'compound':
      return matchCompound(fleet, candidates, String(tgt), depth);
    default:
      return [];
  }
}

const PREFIXES: Record<string, string> = {
  G: 'grain', P: 'grain_pcre', I: 'pillar', J: 'pillar_pcre', L: 'list', E: 'pcre', S: 'ipcidr', N: 'nodegroup',
};

/** A recursive-descent evaluator for compound expressions over id sets (`and` binds tighter than `or`). */
function matchCompound(fleet: SimFleet, candidates: string[], expr: string, depth: number): string[] {
  const words = expr.trim().split(/\s+/).filter(Boolean);
  let pos = 0;
  const all = new Set(candidates);
  const word = (w: string): Set<string> => {
    const m = /^([A-Z])@(.*)$/s.exec(w);
    if (m && PREFIXES[m[1]]) return new Set(matchSimple(fleet, candidates, m[2], PREFIXES[m[1]], depth));
    return new Set(matchSimple(fleet, candidates, w, 'glob', depth));
  };
  const primary = (): Set<string> => {
    const w = words[pos++];
    if (w === undefined) throw new Error('unexpected end');
    if (w === '(') {
      const inner = orExpr();
      if (words[pos++] !== ')') throw new Error('unbalanced');
      return inner;
    }
    if (w === 'not') {
      const inner = primary();
      return new Set([...all].filter((id) => !inner.has(id)));
    }
    return word(w);
  };
  const andExpr = (): Set<string> => {
    let acc = primary();
    while (pos < words.length && words[pos] !== 'or' && words[pos] !== ')') {
      if (words[pos] === 'and') pos++;
      const rhs = primary();
      acc = new Set([...acc].filter((id) => rhs.has(id)));
    }
    return acc;
  };
  const orExpr = (): Set<string> => {
    let acc = andExpr();
    while (words[pos] === 'or') {
      pos++;
      const rhs = andExpr();
      acc = new Set([...acc, ...rhs]);
    }
    return acc;
  };
  try {
    const result = orExpr();
    if (pos !== words.length) return [];
    return candidates.filter((id) => result.has(id));
  } catch {
    return [];
  }
}

/** The sorted accepted minions a target matches (`[]` for an unknown type or a bad expression). */
export function matchTarget(fleet: SimFleet, tgt: unknown, tgtType = 'glob'): string[] {
  try {
    return matchSimple(fleet, fleet.accepted(), tgt ?? '*', tgtType || 'glob', 0);
  } catch {
    return [];
  }
}
