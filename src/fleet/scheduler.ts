/**
 * @module
 * The fleet poller RuntimeConfig runs every `fleet_poll_interval_s`: a thin wrapper of
 * `ingestFleet`. It reads the jobs index, so it follows the jobs poller's pace.
 */
import type { PollerDefinition } from '../runtime-pollers.ts';
import { ingestFleet } from './ingest.ts';

export const fleetPoller: PollerDefinition = {
  name: 'fleet',
  intervalKey: 'fleet_poll_interval_s',
  async run(ctx) {
    await ingestFleet({ db: ctx.db, salt: ctx.salt, masterId: ctx.masterId, now: ctx.now, signal: ctx.signal, logger: ctx.logger });
  },
};
