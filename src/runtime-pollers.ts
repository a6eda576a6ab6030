/**
 * @module
 * What features plug into RuntimeConfig: pollers (a function run on an interval from the settings)
 * and event-stream consumers; plus each poller's last success and last error, kept in memory and
 * in `poller_status` so pages can say how stale their data is, even right after a restart.
 */
import { and, eq } from 'drizzle-orm';
import type { Db } from './db/types.ts';
import type { Logger } from './log.ts';
import type { SaltApiClient } from './salt/client.ts';
import { pollerStatus } from './settings/model.ts';
import type { PollIntervalKey, RuntimeSettings } from './settings/service.ts';
import type { PollerStatus } from './settings/schemas.ts';
import type { Banner } from './http/banner.ts';

export type { PollIntervalKey } from './settings/service.ts';
export type { PollerStatus } from './settings/schemas.ts';

/** What a poller run gets. */
export interface PollerContext {
  db: Db;
  salt: SaltApiClient;
  logger: Logger;
  /** Aborted when the settings are reloaded or the runtime stops: check it before writing. */
  signal: AbortSignal;
  now: () => Date;
  masterId: string;
}

/** A poller a feature registers, e.g. `{ name: 'minions', intervalKey: 'minions_poll_interval_s', run }`. */
export interface PollerDefinition {
  name: string;
  /** The settings field holding its interval in seconds (0 = off). */
  intervalKey: PollIntervalKey;
  run(ctx: PollerContext): Promise<void>;
}

/** What an event-stream consumer gets when it is started. */
export interface StreamConsumerContext {
  db: Db;
  salt: SaltApiClient;
  logger: Logger;
  /** Aborted when the consumer must stop (reload, stop, stream turned off). */
  signal: AbortSignal;
  settings: RuntimeSettings;
  masterId: string;
}

/** An event-stream consumer: started when Salt is connected and the stream is enabled. */
export interface StreamConsumerDefinition {
  name: string;
  /** Starts consuming; returns how to stop (the signal is aborted as well). */
  start(ctx: StreamConsumerContext): (() => void | Promise<void>) | Promise<() => void | Promise<void>>;
}

/** The last outcome of one poller. */
export interface PollerRecord {
  lastSuccessAt: Date | null;
  lastDurationMs: number | null;
  lastErrorAt: Date | null;
  lastError: string | null;
}

export const EMPTY_RECORD: PollerRecord = { lastSuccessAt: null, lastDurationMs: null, lastErrorAt: null, lastError: null };

/** Ten minutes: below this, data is never called stale. */
export const STALE_FLOOR_MS = 10 * 60 * 1000;

/** Data is stale when older than three intervals, and at least ten minutes old. */
export function staleAfterMs(intervalS: number): number {
  return Math.max(3 * intervalS * 1000, STALE_FLOOR_MS);
}

/**
 * Whether a poller's data is stale at `nowMs`. A poller that never succeeded is stale once it has
 * been expected to run for the stale period (`expectedSinceMs`, null when Salt is not configured).
 */
export function isStale(intervalS: number, record: PollerRecord, expectedSinceMs: number | null, nowMs: number): boolean {
  if (intervalS <= 0) return false;
  const since = record.lastSuccessAt?.getTime() ?? expectedSinceMs;
  return since !== null && nowMs - since > staleAfterMs(intervalS);
}

/** The public status of one poller. */
export function pollerStatusOf(
  name: string,
  intervalS: number,
  running: boolean,
  record: PollerRecord,
  stale: boolean,
): PollerStatus {
  return {
    name,
    interval_s: intervalS,
    running,
    last_success_at: record.lastSuccessAt?.toISOString() ?? null,
    last_duration_ms: record.lastDurationMs,
    last_error_at: record.lastErrorAt?.toISOString() ?? null,
    last_error: record.lastError,
    stale,
  };
}

/** The stale-data banner for the layout, or null when every poller is fresh. */
export function staleDataBanner(pollers: readonly PollerStatus[], nowMs: number): Banner | null {
  const stale = pollers.filter((p) => p.stale);
  if (stale.length === 0) return null;
  const parts = stale.map((p) => `${p.name} ${p.last_success_at ? `updated ${ago(nowMs - Date.parse(p.last_success_at))}` : 'never updated'}`);
  return { kind: 'warn', message: `Showing stored data that may be out of date: ${parts.join(', ')}.`, href: '/settings' };
}

function ago(ms: number): string {
  const min = Math.round(ms / 60_000);
  if (min < 90) return `${min} min ago`;
  const h = Math.round(min / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.round(h / 24)} days ago`;
}

/** Reads every stored poller outcome of a master. */
export async function loadPollerRecords(db: Db, masterId: string): Promise<Map<string, PollerRecord>> {
  const rows = await db.select().from(pollerStatus).where(eq(pollerStatus.masterId, masterId));
  return new Map(
    rows.map((r) => [
      r.name,
      { lastSuccessAt: r.lastSuccessAt, lastDurationMs: r.lastDurationMs, lastErrorAt: r.lastErrorAt, lastError: r.lastError },
    ]),
  );
}

/** Stores a poller's outcome (one upsert per run). */
export async function savePollerRecord(db: Db, masterId: string, name: string, r: PollerRecord): Promise<void> {
  const values = { lastSuccessAt: r.lastSuccessAt, lastDurationMs: r.lastDurationMs, lastErrorAt: r.lastErrorAt, lastError: r.lastError };
  await db
    .insert(pollerStatus)
    .values({ masterId, name, ...values })
    .onConflictDoUpdate({ target: [pollerStatus.masterId, pollerStatus.name], set: values });
}

/** Forgets a poller's stored outcome (tests, and a poller removed for good). */
export async function deletePollerRecord(db: Db, masterId: string, name: string): Promise<void> {
  await db.delete(pollerStatus).where(and(eq(pollerStatus.masterId, masterId), eq(pollerStatus.name, name)));
}
