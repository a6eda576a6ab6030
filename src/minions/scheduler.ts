/**
 * @module
 * The minions poller. RuntimeConfig runs it with croner at `minions_poll_interval_s` (protect:
 * true, so runs never overlap); this module only says what one run does.
 *
 * Partial failures: the tick commits the parts that worked (and each part's error, in
 * `minion_ingest_parts`), then this poller throws, so the runtime records the error as the
 * poller's last error (Settings and the stale banner show it) and does not count the run as a
 * success. When every part failed, the first Salt error is rethrown as it is, so an unreachable
 * salt-api pauses the pollers and retries the login as for any other poller.
 */
import type { PollerDefinition } from '../runtime-pollers.ts';
import { ingestMinions, type IngestResult } from './ingest.ts';

/** Raised after a tick in which some of the three salt-api calls failed. */
export class MinionIngestPartialFailure extends Error {
  constructor(readonly result: IngestResult) {
    super(`minions: ${result.failed.map((f) => `${f.part} failed (${f.message})`).join('; ')}; the other parts were updated`);
    this.name = 'MinionIngestPartialFailure';
  }
}

/** The poller RuntimeConfig registers. */
export const minionsPoller: PollerDefinition = {
  name: 'minions',
  intervalKey: 'minions_poll_interval_s',
  async run(ctx) {
    const result = await ingestMinions({ db: ctx.db, salt: ctx.salt, masterId: ctx.masterId, now: ctx.now, signal: ctx.signal });
    if (result.aborted) return;
    ctx.logger.info('minions tick', {
      inserted: result.inserted, updated: result.updated, deleted: result.deleted, unchanged: result.unchanged,
      fetch_ms: Math.round(result.fetchMs), total_ms: Math.round(result.totalMs),
    });
    if (result.failed.length === 3) throw result.failed[0]!.error;
    if (result.failed.length > 0) throw new MinionIngestPartialFailure(result);
  },
};
