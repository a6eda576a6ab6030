/**
 * Test kit: a `fetch` that answers from the real salt-api recordings, in order, and keeps the
 * requests it received. Used by the salt client's unit tests; not part of the product.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Where the Salt 3007 recordings live (`HALITE_RECORDINGS_DIR` overrides). */
export { RECORDINGS_DIR } from '../../test/support/recordings.ts';
import { RECORDINGS_DIR } from '../../test/support/recordings.ts';

/** One recording: `{request, response, meta}`. */
export interface Recording {
  request: { method: string; path: string; headers: Record<string, string>; body: unknown };
  response: { status: number; reason: string; headers: Record<string, string>; body: unknown };
  meta: { note?: string };
}

/** Read `<name>.json` from the recordings. */
export function recording(name: string): Recording {
  return JSON.parse(readFileSync(path.join(RECORDINGS_DIR, `${name}.json`), 'utf8')) as Recording;
}

/** Raw bytes of a recorded stream capture (`events.sse`, ...). */
export function recordedStream(name: string): string {
  return readFileSync(path.join(RECORDINGS_DIR, name), 'utf8');
}

/** A recorded response as a web Response (JSON bodies re-serialized, text bodies as they were). */
export function toResponse(rec: Recording): Response {
  const { status, headers, body } = rec.response;
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const h = new Headers();
  for (const [k, v] of Object.entries(headers)) {
    if (!/^(content-length|transfer-encoding|content-encoding)$/i.test(k)) h.set(k, v);
  }
  return new Response(text, { status, headers: h });
}

/** A request the replay fetch received. */
export interface SeenRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

/** What {@link replayFetch} answers with: a recording name, a Response factory, or an error to throw. */
export type ReplayStep = string | (() => Response) | Error;

/** A fetch that answers each request with the next step; it fails the test when steps run out. */
export function replayFetch(steps: ReplayStep[]): { fetch: typeof fetch; seen: SeenRequest[] } {
  const seen: SeenRequest[] = [];
  const queue = [...steps];
  const fake = async (input: Parameters<typeof fetch>[0], init: RequestInit = {}): Promise<Response> => {
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    const raw = typeof init.body === 'string' ? init.body : undefined;
    seen.push({
      url: String(input),
      method: init.method ?? 'GET',
      headers,
      body: raw === undefined ? undefined : (JSON.parse(raw) as unknown),
    });
    const step = queue.shift();
    if (step === undefined) throw new Error(`replayFetch: unexpected request ${String(input)}`);
    if (step instanceof Error) throw step;
    return typeof step === 'function' ? step() : toResponse(recording(step));
  };
  return { fetch: fake as typeof fetch, seen };
}

/** A `fetch failed` TypeError as undici throws it, with a socket error code as its cause. */
export function networkError(code: string): Error {
  return new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code }) });
}
