/**
 * Reader of salt-api's `/events` Server-Sent Events stream.
 *
 * Salt's framing (recorded from 3007, see the recordings README): the first line is `retry: 400`
 * with no blank line after it, then each event is `tag: <tag>\ndata: <json>\n\n`. `tag:` is not
 * an SSE field, so eventsource-parser reports it through `onError` (unknown-field); the JSON
 * `{"data": {...}, "tag": "..."}` carries the tag too and is the source of truth.
 *
 * Salt sends no heartbeats, so silence is never treated as a failure: there is no read timeout.
 * When salt-api ends the response cleanly, the token was logged out or expired (Salt delivers one
 * more event, then closes), so the reader logs in again before reconnecting.
 *
 * Web-standard only (fetch, AbortController, TextDecoder).
 *
 * @module
 */
import { createParser, type ParseError } from 'eventsource-parser';
import { SaltApiError, errorExcerpt } from './errors.ts';
import type { SaltEvent, SaltEventStreamStatus, SaltLogger, StreamEventsOptions } from './types.ts';
import { backoffDelay } from './wire.ts';

/** What the reader needs from the client. */
export interface EventStreamDeps {
  /** salt-api base URL, without a trailing slash. */
  url: string;
  fetch: typeof fetch;
  sleep: (ms: number) => Promise<void>;
  logger: SaltLogger;
  /** How long to wait for the response headers of each connection attempt. */
  timeoutMs: number;
  /**
   * A token to connect with. With `stale`, that token was refused or its stream ended: the
   * client must log in again (or hand out a newer token someone else already obtained).
   */
  token(stale?: string): Promise<string>;
}

/** The server's `retry:` hint is honoured, but never beyond this (ms). */
const MAX_SERVER_RETRY_MS = 60_000;

/**
 * Yield every event from `/events`, in order, across reconnects, until `o.signal` aborts or the
 * consumer stops iterating. Never throws for connection problems: it reports them through
 * `o.onStatus` and keeps trying with exponential backoff (0.5 s doubling, capped at 4 s).
 */
export async function* streamSaltEvents(deps: EventStreamDeps, o: StreamEventsOptions = {}): AsyncGenerator<SaltEvent> {
  const { signal, onStatus } = o;
  let failures = 0; // consecutive attempts that ended without delivering an event
  let serverRetryMs = 0;
  let stale: string | undefined;
  let lastError: Error | undefined;

  while (!signal?.aborted) {
    if (lastError) {
      const delayMs = Math.max(Math.min(serverRetryMs, MAX_SERVER_RETRY_MS), backoffDelay(failures - 1));
      report(onStatus, { state: 'reconnecting', error: lastError, delayMs, attempt: failures });
      deps.logger.warn('salt-api event stream reconnecting', { reason: lastError.message, delayMs, attempt: failures });
      if (!(await sleepUnlessAborted(deps.sleep, delayMs, signal))) return;
    } else {
      report(onStatus, { state: 'connecting', attempt: 0 });
    }

    const ctrl = new AbortController();
    const stop = () => ctrl.abort(signal?.reason);
    signal?.addEventListener('abort', stop, { once: true });
    let token: string | undefined;
    let delivered = false;
    try {
      token = await deps.token(stale);
      stale = undefined;
      const res = await openStream(deps, token, ctrl);
      report(onStatus, { state: 'connected', attempt: failures });

      const queue: SaltEvent[] = [];
      let lineTag: string | undefined;
      const parser = createParser({
        onEvent(message) {
          const event = toSaltEvent(message.data, lineTag, deps.logger);
          lineTag = undefined;
          if (event) queue.push(event);
        },
        onRetry(ms) {
          serverRetryMs = ms;
        },
        onError(err: ParseError) {
          if (err.type === 'unknown-field' && err.field === 'tag') lineTag = err.value;
          else deps.logger.warn('salt-api event stream: unparsable line', { type: err.type });
        },
      });
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.feed(decoder.decode(value, { stream: true }));
        while (queue.length > 0) {
          delivered = true;
          failures = 0;
          yield queue.shift()!;
        }
      }
      // A clean end is how salt-api says the token is gone (logout or expiry): log in again.
      stale = token;
      lastError = new Error('salt-api ended the event stream (token expired or logged out)');
    } catch (err) {
      if (signal?.aborted) return;
      lastError = err instanceof Error ? err : new Error(String(err));
      if (err instanceof SaltApiError && err.status === 401 && token) stale = token;
    } finally {
      signal?.removeEventListener('abort', stop);
      ctrl.abort();
    }
    if (!delivered) failures++;
    else failures = 1; // the connection worked; wait the shortest backoff before the next one
  }
}

/** Connect to `/events` with the token in `X-Auth-Token`; throws SaltApiError for a non-200 answer. */
async function openStream(deps: EventStreamDeps, token: string, ctrl: AbortController): Promise<Response> {
  // The timeout covers the response headers only: the body may stay silent for as long as it likes.
  const timer = setTimeout(
    () => ctrl.abort(new DOMException(`no answer within ${deps.timeoutMs} ms`, 'TimeoutError')),
    deps.timeoutMs,
  );
  let res: Response;
  try {
    // The header, not `?token=`: salt-api 3007.15+ and 3008 answer 400 to any query string on
    // /events (found by the contract suite), while 3007.14 accepts both. Browsers would need the
    // query form, but only Halite's server talks to salt-api.
    res = await deps.fetch(`${deps.url}/events`, {
      headers: { Accept: 'application/json', 'X-Auth-Token': token },
      signal: ctrl.signal,
    });
  } finally {
    clearTimeout(timer);
  }
  if (res.status !== 200 || !res.body) {
    const text = await res.text().catch(() => '');
    throw new SaltApiError(res.status, errorExcerpt(text, res.headers.get('content-type')));
  }
  return res;
}

/** Parse one `data:` payload `{"data": {...}, "tag": "..."}`; the `tag:` line is the fallback. */
function toSaltEvent(payload: string, lineTag: string | undefined, logger: SaltLogger): SaltEvent | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    logger.warn('salt-api event stream: data is not JSON', { tag: lineTag, length: payload.length });
    return null;
  }
  if (!parsed || typeof parsed !== 'object') return null;
  const { tag, data } = parsed as { tag?: unknown; data?: unknown };
  const eventTag = typeof tag === 'string' ? tag : lineTag;
  if (!eventTag) return null;
  const eventData =
    data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : { data };
  return { tag: eventTag, data: eventData };
}

/** Wait, but give up as soon as the signal aborts; returns false when aborted. */
async function sleepUnlessAborted(
  sleep: (ms: number) => Promise<void>,
  ms: number,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  if (!signal) {
    await sleep(ms);
    return true;
  }
  if (signal.aborted) return false;
  let onAbort!: () => void;
  const aborted = new Promise<void>((resolve) => {
    onAbort = resolve;
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([sleep(ms), aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  return !signal.aborted;
}

function report(onStatus: StreamEventsOptions['onStatus'], status: SaltEventStreamStatus): void {
  try {
    onStatus?.(status);
  } catch {
    // A faulty status observer must not break the stream.
  }
}
