/**
 * @module sim/stream
 * `GET /events` exactly as salt-api serves it: 401 HTML unless a valid credential is presented
 * (`?token=` session, `?salt_token=` raw eauth token, `X-Auth-Token` header or cookie); then
 * `retry: 400\n` with no blank line, one `tag:`/`data:` block per event, no heartbeats. The token
 * is re-checked only after an event is written, so after logout or expiry exactly one more event
 * arrives and then the response ends cleanly.
 */
import type { ServerResponse } from 'node:http';
import type { AuthStore } from './auth.ts';
import { sendError, type Exchange } from './cherrypy.ts';
import { SSE_PREAMBLE, type EventBus } from './events.ts';
import { sessionIdOf } from './request.ts';
import { httpDate } from './wire.ts';

/** Open /events responses, so faults can end them. */
export type StreamSet = Set<ServerResponse>;

/** Serves one /events request. */
export function serveEvents(ex: Exchange, url: URL, auth: AuthStore, bus: EventBus, streams: StreamSet): void {
  ex.allow = 'GET, HEAD';
  const sid = url.searchParams.get('token') ?? sessionIdOf(ex.req);
  const saltToken = url.searchParams.get('salt_token');
  const valid = (): boolean => (saltToken ? auth.tokenValid(saltToken) : !!sid && auth.sessionValid(sid));
  const session = sid ? auth.session(sid) : undefined;
  ex.cookie = session?.id ?? auth.newSessionId();
  if (!valid()) {
    sendError(ex, 401, 'No permission -- see authorization schemes');
    return;
  }
  const res = ex.res;
  res.writeHead(200, 'OK', {
    'Content-Type': 'text/event-stream;charset=utf-8', Server: 'CherryPy/18.8.0', Date: httpDate(ex.now), Allow: 'GET, HEAD',
    'Access-Control-Allow-Origin': String(ex.req.headers.origin ?? '*'), 'Access-Control-Expose-Headers': 'GET, POST',
    'Access-Control-Allow-Credentials': 'true', 'Cache-Control': 'no-cache', Connection: 'keep-alive', Vary: 'Accept-Encoding',
    'Set-Cookie': `session_id=${ex.cookie}; expires=${httpDate(ex.now + 36_000_000)}; Max-Age=36000; Path=/`,
  });
  res.write(SSE_PREAMBLE);
  streams.add(res);
  const unsubscribe = bus.subscribe((frame) => {
    if (res.writableEnded || res.destroyed) return;
    res.write(frame);
    if (!valid()) finish();
  });
  function finish(): void {
    unsubscribe();
    streams.delete(res);
    if (!res.writableEnded) res.end();
  }
  res.on('close', finish);
}
