/**
 * @module
 * Test helpers of the activity feature (not imported by production code).
 */
import type { ActivityEvent } from './schemas.ts';

/** A public activity event with a given id, for hub and SSE tests. */
export function fakeEvent(id: number, category: 'job' | 'key' | 'minion' = 'job'): ActivityEvent {
  return {
    id, master_id: 'default', at: new Date(1_800_000_000_000 + id).toISOString(), category,
    kind: category === 'job' ? 'job.new' : category === 'key' ? 'key.accept' : 'minion.start',
    tag: 'x', jid: null, minion: null, fun: null, outcome: null, summary: `event ${id}`, data: {}, backfilled: false,
  };
}
