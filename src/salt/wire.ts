/**
 * Wire-level helpers of the salt-api client: backoff, network-error classification, response
 * parsing and lowstate building. Pure functions, shared by client.ts and events.ts.
 *
 * @module
 */
import { SaltApiError, errorExcerpt } from './errors.ts';
import type { LocalCallOptions } from './types.ts';

/** First backoff delay, in ms. */
export const BACKOFF_BASE_MS = 500;
/** Longest backoff delay, in ms. */
export const BACKOFF_CAP_MS = 4000;

/** Exponential backoff: 500, 1000, 2000, 4000, 4000, ... ms for attempt 0, 1, 2, 3, 4, ... */
export function backoffDelay(attempt: number): number {
  return Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt));
}

/** What a failed fetch tells us. */
export interface NetworkFailure {
  /** Short reason for logs and messages (an error code such as ECONNREFUSED, or "timeout"). */
  reason: string;
  /** False only when the connection never opened, so salt-api cannot have seen the request. */
  mayHaveReachedSalt: boolean;
}

// Failures of the connect phase (TCP, DNS, TLS handshake): the request was never written.
const CONNECT_PHASE = /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EAI_NONAME|EHOSTUNREACH|ENETUNREACH|EHOSTDOWN|UND_ERR_CONNECT_TIMEOUT|ERR_TLS_.*|ERR_SSL_.*|.*CERT.*|UNABLE_TO_.*)$/;

/**
 * Classify what `fetch` threw. Undici wraps the socket error as `TypeError('fetch failed', {cause})`;
 * `AbortSignal.timeout` rejects with a `TimeoutError` DOMException.
 */
export function describeNetworkError(err: unknown, timeoutMs: number): NetworkFailure {
  if (isNamed(err, 'TimeoutError')) return { reason: `timeout after ${timeoutMs} ms`, mayHaveReachedSalt: true };
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code) {
      if (code === 'UND_ERR_CONNECT_TIMEOUT') return { reason: 'connect timeout', mayHaveReachedSalt: false };
      return { reason: code, mayHaveReachedSalt: !CONNECT_PHASE.test(code) };
    }
  }
  const message = err instanceof Error ? err.message : String(err);
  return { reason: message || 'network error', mayHaveReachedSalt: true };
}

/** True for the DOMException / Error of the given name (AbortError, TimeoutError). */
export function isNamed(err: unknown, name: string): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === name;
}

/**
 * Turn a salt-api answer into JSON, or throw a SaltApiError for an error status or a non-JSON
 * body (CherryPy's HTML error pages, a proxy's page, YAML).
 */
export function parseJsonBody(status: number, contentType: string | null, text: string, path: string): unknown {
  if (status < 200 || status >= 300) {
    throw new SaltApiError(status, errorExcerpt(text, contentType));
  }
  if (!(contentType ?? '').toLowerCase().includes('json')) {
    throw new SaltApiError(
      status,
      errorExcerpt(text, contentType),
      `salt-api ${path}: expected JSON, got ${contentType ?? 'no content type'}`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new SaltApiError(status, text, `salt-api ${path}: invalid JSON`);
  }
}

/** The `return` list of `{"return": [...]}`; anything else is a SaltApiError. */
export function readReturn(body: unknown): unknown[] {
  const ret = body && typeof body === 'object' ? (body as { return?: unknown }).return : undefined;
  if (Array.isArray(ret)) return ret;
  const text = typeof ret === 'string' ? ret : JSON.stringify(body ?? null);
  throw new SaltApiError(200, text, `salt-api: expected {"return": [...]}, got ${text.slice(0, 200)}`);
}

/** The lowstate keys of a local-family call (`tgt`, `fun`, `tgt_type`, `arg`, `kwarg`, ...). */
export function localLow(tgt: string | string[], fun: string, o: LocalCallOptions): Record<string, unknown> {
  const low: Record<string, unknown> = { tgt, fun };
  const tgtType = o.tgtType ?? (Array.isArray(tgt) ? 'list' : undefined);
  if (tgtType) low.tgt_type = tgtType;
  if (o.arg) low.arg = o.arg;
  if (o.kwarg) low.kwarg = o.kwarg;
  if (o.timeout !== undefined) low.timeout = o.timeout;
  if (o.fullReturn) low.full_return = true;
  return low;
}

/** `value` when it is a dict; else a SaltApiError naming what was expected. */
export function expectDict(value: unknown, what: string): Record<string, unknown> {
  if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  const text = typeof value === 'string' ? value : JSON.stringify(value ?? null);
  throw new SaltApiError(200, text, `salt-api ${what}: expected a dict, got ${firstLine(text)}`);
}

/** The first non-blank line of `text`, cut to 200 chars (for error messages). */
export function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim()) ?? '';
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}
