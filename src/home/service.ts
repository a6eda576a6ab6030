/**
 * @module
 * The overview: the few numbers an operator checks first, each read from the snapshot tables
 * (never from Salt) and only for what the user may see.
 */
import { and, count, eq, gte, sql } from 'drizzle-orm';
import type { Db } from '../db/types.ts';
import type { Permission } from '../auth/context.ts';
import { permits } from '../rbac/glob.ts';
import { minionSnapshots } from '../minions/model.ts';
import { jobsIndex } from '../jobs/model.ts';
import { fleetHealth } from '../fleet/model.ts';

export interface Overview {
  minions: { accepted: number; up: number; down: number; pending_keys: number } | null;
  jobs: { last_24h: number; with_failures: number } | null;
  fleet: { healthy: number; changed: number; unhealthy: number; blocked: number } | null;
}

export async function overview(db: Db, granted: readonly Permission[], masterId = 'default', now = new Date()): Promise<Overview> {
  const [minions, jobs, fleet] = await Promise.all([
    permits(granted, 'view', 'minion:*') ? minionCounts(db, masterId) : null,
    permits(granted, 'view', 'job:*') ? jobCounts(db, masterId, now) : null,
    permits(granted, 'view', 'fleet:*') ? fleetCounts(db, masterId) : null,
  ]);
  return { minions, jobs, fleet };
}

async function minionCounts(db: Db, masterId: string) {
  const rows = await db
    .select({ keyStatus: minionSnapshots.keyStatus, present: minionSnapshots.present, n: count() })
    .from(minionSnapshots)
    .where(eq(minionSnapshots.masterId, masterId))
    .groupBy(minionSnapshots.keyStatus, minionSnapshots.present);
  const sum = (f: (r: (typeof rows)[number]) => boolean) => rows.filter(f).reduce((a, r) => a + r.n, 0);
  return {
    accepted: sum((r) => r.keyStatus === 'accepted'),
    up: sum((r) => r.keyStatus === 'accepted' && r.present),
    down: sum((r) => r.keyStatus === 'accepted' && !r.present),
    pending_keys: sum((r) => r.keyStatus === 'pending'),
  };
}

async function jobCounts(db: Db, masterId: string, now: Date) {
  const since = new Date(now.getTime() - 24 * 3600 * 1000);
  const [row] = await db
    .select({ total: count(), failed: sql<number>`count(*) filter (where ${jobsIndex.failed} > 0)`.mapWith(Number) })
    .from(jobsIndex)
    .where(and(eq(jobsIndex.masterId, masterId), gte(jobsIndex.startTime, since)));
  return { last_24h: row?.total ?? 0, with_failures: row?.failed ?? 0 };
}

async function fleetCounts(db: Db, masterId: string) {
  const rows = await db
    .select({ outcome: fleetHealth.outcome, n: count() })
    .from(fleetHealth)
    .where(eq(fleetHealth.masterId, masterId))
    .groupBy(fleetHealth.outcome);
  const n = (o: string) => rows.find((r) => r.outcome === o)?.n ?? 0;
  return { healthy: n('healthy'), changed: n('changed'), unhealthy: n('unhealthy'), blocked: n('blocked') };
}
