/**
 * @module
 * One browser's `/api/activity/stream`: replay (the ring, or the database when the ring no longer
 * reaches back to Last-Event-ID), then live events from the hub, a keepalive comment every
 * `hub.keepaliveMs`, and the upstream status whenever it changes. Subscribing comes first and the
 * replay second, so no event falls between the two; ids already sent are skipped.
 */
import type { SSEStreamingApi } from 'hono/streaming';
import type { Db } from '../db/types.ts';
import type { EventHub } from './hub.ts';
import type { ActivityCategory } from './normalize.ts';
import type { ActivityEvent, StreamStatus } from './schemas.ts';
import { activitySince } from './service.ts';
import { ActivityRow, StreamStatusBadge } from '../../views/activity/feed.tsx';

export type StreamFormat = 'json' | 'html';

/** Rows read from the database per catch-up query. */
const CATCH_UP_PAGE = 1000;
/** A client further behind than this many pages is sent the newest ones only (it reloads the page anyway). */
const CATCH_UP_MAX_PAGES = 10;

/** The SSE event name for "this job / key / minion changed" (safe inside `hx-trigger`). */
export function changedEventName(category: ActivityCategory, id: string): string {
  return `${category}-changed-${id.replace(/[^A-Za-z0-9._-]/g, '_')}`;
}

/** The SSE messages for one event in a format: `[event, data]` pairs, the first one carrying the id. */
export function sseMessages(e: ActivityEvent, format: StreamFormat): { event: string; data: string }[] {
  if (format === 'json') return [{ event: e.category, data: JSON.stringify(e) }];
  const out = [{ event: e.category, data: ActivityRow({ e }) }];
  const subjects: [ActivityCategory, string | null][] =
    e.category === 'job' ? [['job', e.jid]] : e.category === 'key' ? [['key', e.minion], ['minion', e.minion]] : [['minion', e.minion]];
  for (const [cat, id] of subjects) {
    if (!id) continue;
    out.push({ event: `${cat}-changed`, data: id }, { event: changedEventName(cat, id), data: id });
  }
  return out;
}

function statusMessage(s: StreamStatus, format: StreamFormat): string {
  return format === 'json' ? JSON.stringify(s) : StreamStatusBadge({ s });
}

/** One SSE message as text (data split into `data:` lines, as the spec asks). */
export function sseFrame(event: string, data: string, id?: number): string {
  let out = `event: ${event}\n`;
  for (const line of data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  if (id !== undefined) out += `id: ${id}\n`;
  return `${out}\n`;
}

/**
 * Every subscriber receives the same event objects from the hub: each is rendered and encoded
 * once per format and the bytes shared, so a thousand subscribers cost one render, not a thousand.
 */
const rendered: Record<StreamFormat, WeakMap<ActivityEvent, Uint8Array>> = { json: new WeakMap(), html: new WeakMap() };
const encoder = new TextEncoder();

/** The SSE text of one event in a format. */
export function renderEvent(e: ActivityEvent, format: StreamFormat): string {
  // The id rides on the first message (the category one); the event is written in one piece.
  return sseMessages(e, format).map((m, i) => sseFrame(m.event, m.data, i === 0 ? e.id : undefined)).join('');
}

/** `renderEvent` encoded, memoized per event object. */
export function renderEventBytes(e: ActivityEvent, format: StreamFormat): Uint8Array {
  let bytes = rendered[format].get(e);
  if (bytes === undefined) {
    bytes = encoder.encode(renderEvent(e, format));
    rendered[format].set(e, bytes);
  }
  return bytes;
}

/** Joins byte chunks into one (one write per batch). */
function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export interface ServeStreamOptions {
  hub: EventHub;
  db: Db;
  masterId: string;
  categories: ReadonlySet<ActivityCategory>;
  format: StreamFormat;
  /** Resume after this id (Last-Event-ID or `after`); null replays the ring; 'now' replays nothing. */
  resume: number | null | 'now';
  /** Extra status text when Salt itself is down (the hub only knows about the stream). */
  statusOverride?: () => StreamStatus;
}

/** Runs one subscriber until it disconnects, is dropped, or the hub closes. */
export async function serveActivityStream(stream: SSEStreamingApi, o: ServeStreamOptions): Promise<void> {
  const { hub, format } = o;
  const sub = hub.subscribe(o.categories);
  // Everything after this id reaches the subscription's queue; `after=now` starts exactly here.
  const subscribedAfter = hub.lastId;
  stream.onAbort(() => sub.close());
  const keepalive = setInterval(() => void stream.write(': keepalive\n\n'), hub.keepaliveMs);
  keepalive.unref?.();
  // End now and then so the reconnect re-checks the session (see EventHubOptions.maxStreamMs).
  const expiry = setTimeout(() => sub.close(), hub.maxStreamMs);
  expiry.unref?.();
  let lastSent = 0;
  // One write per batch: at hundreds of events per second a write per event would dominate.
  const send = async (events: readonly ActivityEvent[]) => {
    const parts: Uint8Array[] = [];
    for (const e of events) {
      if (e.id <= lastSent || !o.categories.has(e.category as ActivityCategory)) continue;
      parts.push(renderEventBytes(e, format));
      lastSent = e.id;
    }
    if (parts.length > 0) await stream.write(concat(parts));
  };
  try {
    // Tell EventSource how soon to come back after a drop.
    await stream.write('retry: 2000\n\n');
    await stream.writeSSE({ event: 'status', data: statusMessage(o.statusOverride?.() ?? hub.status(), format) });
    if (o.resume !== 'now') {
      const fromRing = hub.replay(o.resume);
      if (fromRing) await send(fromRing);
      else await catchUpFromDb(o, send, () => lastSent, o.resume ?? 0);
    } else lastSent = subscribedAfter;
    while (!stream.aborted && !stream.closed) {
      const batch = await sub.next();
      if (batch.status) await stream.writeSSE({ event: 'status', data: statusMessage(o.statusOverride?.() ?? batch.status, format) });
      await send(batch.events);
      if (batch.notices.length > 0) await stream.write(batch.notices.map((n) => sseFrame(n.event, n.data)).join(''));
      if (batch.closed) {
        // Dropped for falling behind: say so and end; the browser reconnects with Last-Event-ID.
        if (batch.dropped) await stream.write(': too slow, dropped; reconnect to catch up\n\n');
        break;
      }
    }
  } finally {
    clearInterval(keepalive);
    clearTimeout(expiry);
    sub.close();
  }
}

async function catchUpFromDb(
  o: ServeStreamOptions,
  send: (e: readonly ActivityEvent[]) => Promise<void>,
  last: () => number,
  from: number,
): Promise<void> {
  let after = from;
  for (let page = 0; page < CATCH_UP_MAX_PAGES; page++) {
    const rows = await activitySince(o.db, o.masterId, after, [...o.categories], CATCH_UP_PAGE);
    await send(rows);
    if (rows.length < CATCH_UP_PAGE) return;
    after = Math.max(last(), rows[rows.length - 1]!.id);
  }
}
