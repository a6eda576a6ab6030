/**
 * @module
 * Applies a key decision to the snapshot at once, so the pages show it without waiting for the
 * next tick: a new status for a key (its row keeps its grains), or the row removed on delete. The
 * content hash is recomputed the way the tick computes it, so the next tick sees no change.
 */
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/types.ts';
import { minionSnapshots, type KeyStatus } from './model.ts';
import { contentHashOf } from './row-hash.ts';

/** Sets the key status of each id (null deletes its row), in one transaction. */
export async function applyKeyStatuses(db: Db, masterId: string, changes: Map<string, KeyStatus | null>, now: Date): Promise<void> {
  if (changes.size === 0) return;
  const t = minionSnapshots;
  await db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    const ids = [...changes.keys()];
    const gone = ids.filter((id) => changes.get(id) === null);
    if (gone.length) await tx.delete(t).where(and(eq(t.masterId, masterId), inArray(t.id, gone)));
    const set = ids.filter((id) => changes.get(id) !== null);
    if (set.length === 0) return;
    const rows = await tx
      .select({ id: t.id, present: t.present, ip: t.ip, grainsHash: t.grainsHash, lastSeen: t.lastSeen })
      .from(t)
      .where(and(eq(t.masterId, masterId), inArray(t.id, set)));
    const known = new Map(rows.map((r) => [r.id, r]));
    for (const id of set) {
      const keyStatus = changes.get(id)!;
      const old = known.get(id);
      // Only an accepted minion is present; an accepted key's presence is known at the next tick.
      const present = keyStatus === 'accepted' ? (old?.present ?? false) : false;
      const ip = old?.ip ?? null;
      const grainsHash = old?.grainsHash ?? '';
      const contentHash = contentHashOf({ keyStatus, present, ip, grainsHash });
      if (old) {
        const lastSeen = old.present && !present ? now : old.lastSeen;
        await tx.update(t).set({ keyStatus, present, contentHash, lastSeen, updatedAt: now }).where(and(eq(t.masterId, masterId), eq(t.id, id)));
      } else {
        await tx
          .insert(t)
          .values({ masterId, id, keyStatus, present, ip, contentHash, firstSeen: now, updatedAt: now })
          .onConflictDoNothing();
      }
    }
  });
}
