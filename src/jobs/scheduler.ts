/**
 * @module
 * The jobs poller RuntimeConfig runs every `jobs_poll_interval_s`: a thin wrapper of `ingestJobs`.
 */
import type { PollerDefinition } from '../runtime-pollers.ts';
import { ingestJobs } from './ingest.ts';

export const jobsPoller: PollerDefinition = {
  name: 'jobs',
  intervalKey: 'jobs_poll_interval_s',
  async run(ctx) {
    await ingestJobs({ db: ctx.db, salt: ctx.salt, masterId: ctx.masterId, now: ctx.now, signal: ctx.signal, logger: ctx.logger });
  },
};
