/**
 * @module
 * The inventory poller RuntimeConfig runs every `inventory_poll_interval_s`: a thin wrapper of
 * `ingestInventory`. Batches that could not be dispatched make the run an error (after the other
 * batches were written), so Settings and the stale banner show it.
 */
import type { PollerDefinition } from '../runtime-pollers.ts';
import { ingestInventory } from './ingest.ts';

export const inventoryPoller: PollerDefinition = {
  name: 'inventory',
  intervalKey: 'inventory_poll_interval_s',
  async run(ctx) {
    const r = await ingestInventory({ db: ctx.db, salt: ctx.salt, masterId: ctx.masterId, now: ctx.now, signal: ctx.signal, logger: ctx.logger });
    if (r.failedBatches.length > 0) {
      const minions = r.failedBatches.reduce((n, b) => n + b.minions, 0);
      throw new Error(`inventory: ${r.failedBatches.length} batch(es) of ${minions} minions not dispatched: ${r.failedBatches[0].message}`);
    }
  },
};
