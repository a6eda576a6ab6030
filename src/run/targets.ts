/**
 * @module
 * Resolving a target to minion ids for the preview (and the server-side confirmation check).
 *
 * - glob, list, pcre, grain and grain_pcre are matched here against the minion snapshot
 *   (accepted keys only, as Salt targets only accepted minions), with Salt's rules: fnmatch globs,
 *   `re.match` (anchored at the start) for pcre, `subdict_match` (`key:sub:value`, lists match any
 *   element) for grains. No Salt call, so the preview is instant and costs the master nothing.
 * - pillar, nodegroup, ipcidr and compound need data or configuration only the master has
 *   (pillar, the nodegroups in its config, compound's `I@`/`N@`/`S@`). They are asked from the
 *   master with the runner `cache.grains` given `tgt` and `tgt_type`: the master resolves the
 *   expression with the same CkMinions code a publish uses, and nothing runs on any minion (a
 *   `test.ping` would publish a job, and `manage.present` takes no target).
 */
import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/types.ts';
import { minionSnapshots } from '../minions/model.ts';
import type { TargetType } from './schemas.ts';
import { fnmatchRegExp, subdictMatch } from '../salt/match.ts';

export { fnmatchRegExp, subdictMatch };

/** What target resolution needs from SaltApiClient. */
export interface TargetSalt {
  runnerCall(fun: string, kwarg?: Record<string, unknown>, arg?: unknown[]): Promise<unknown>;
}

export interface ResolvedTarget {
  minions: string[];
  source: 'snapshot' | 'master';
}

const SNAPSHOT_TYPES: ReadonlySet<TargetType> = new Set(['glob', 'list', 'pcre', 'grain', 'grain_pcre']);

/** Whether the snapshot can resolve this target type without asking the master. */
export function resolvesFromSnapshot(type: TargetType): boolean {
  return SNAPSHOT_TYPES.has(type);
}

/** A matcher for one snapshot target, or null when the expression is malformed (matches nothing). */
function snapshotMatcher(type: TargetType, target: string): ((id: string, grains: Record<string, unknown>) => boolean) | null {
  switch (type) {
    case 'glob': {
      const re = fnmatchRegExp(target);
      return (id) => re.test(id);
    }
    case 'list': {
      const wanted = new Set(target.split(',').map((s) => s.trim()).filter(Boolean));
      return (id) => wanted.has(id);
    }
    case 'pcre': {
      try {
        const re = new RegExp('^(?:' + target + ')');
        return (id) => re.test(id);
      } catch {
        return null;
      }
    }
    case 'grain':
    case 'grain_pcre':
      return (_id, grains) => subdictMatch(grains, target, type === 'grain_pcre');
    default:
      return null;
  }
}

/** Matches a snapshot-resolvable target against the accepted minions of the snapshot. */
export async function resolveFromSnapshot(db: Db, masterId: string, type: TargetType, target: string): Promise<string[]> {
  const match = snapshotMatcher(type, target);
  if (!match) return [];
  const needGrains = type === 'grain' || type === 'grain_pcre';
  const where = and(eq(minionSnapshots.masterId, masterId), eq(minionSnapshots.keyStatus, 'accepted'));
  const rows = needGrains
    ? await db.select({ id: minionSnapshots.id, grains: minionSnapshots.grains }).from(minionSnapshots).where(where)
    : (await db.select({ id: minionSnapshots.id }).from(minionSnapshots).where(where)).map((r) => ({ id: r.id, grains: {} }));
  return rows.filter((r) => match(r.id, r.grains ?? {})).map((r) => r.id).sort();
}

/** Asks the master which minions an expression matches (runner cache.grains with tgt/tgt_type). */
export async function resolveFromMaster(salt: TargetSalt, type: TargetType, target: string): Promise<string[]> {
  const ret = await salt.runnerCall('cache.grains', { tgt: target, tgt_type: type });
  if (!ret || typeof ret !== 'object' || Array.isArray(ret)) return [];
  return Object.keys(ret).sort();
}

/** Resolves a target with the snapshot when it can, else with the master. */
export async function resolveTarget(
  deps: { db: Db; masterId: string; salt: () => TargetSalt },
  type: TargetType,
  target: string,
): Promise<ResolvedTarget> {
  if (resolvesFromSnapshot(type)) return { minions: await resolveFromSnapshot(deps.db, deps.masterId, type, target), source: 'snapshot' };
  return { minions: await resolveFromMaster(deps.salt(), type, target), source: 'master' };
}
