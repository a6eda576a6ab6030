/**
 * @module sim/cherrypy
 * The response details of salt-api's CherryPy server: its HTML error page (message inside
 * `<p>…</p>`), the 500 JSON body for handler exceptions, the headers every response carries
 * (Server, CORS, Vary, Allow, Set-Cookie session_id) and Accept negotiation (JSON or YAML).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { stringify as toYaml } from 'yaml';
import { SESSION_TTL_SECONDS } from './auth.ts';
import { httpDate, pyJson } from './wire.ts';

/** Reason phrases CherryPy uses. */
export const REASONS: Record<number, string> = {
  200: 'OK', 202: 'Accepted', 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 406: 'Not Acceptable',
  500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

/** CherryPy's default error page for a status and message. */
export function errorPage(status: number, message: string): string {
  const title = `${status} ${REASONS[status] ?? 'Error'}`;
  return `<!DOCTYPE html PUBLIC
"-//W3C//DTD XHTML 1.0 Transitional//EN"
"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html>
<head>
    <meta http-equiv="Content-Type" content="text/html; charset=utf-8"></meta>
    <title>${title}</title>
    <style type="text/css">
    #powered_by {
        margin-top: 20px;
        border-top: 2px solid black;
        font-style: italic;
    }

    #traceback {
        color: red;
    }
    </style>
</head>
    <body>
        <h2>${title}</h2>
        <p>${message}</p>
        <pre id="traceback"></pre>
    <div id="powered_by">
      <span>
        Powered by <a href="http://www.cherrypy.dev">CherryPy 18.8.0</a>
      </span>
    </div>
    </body>
</html>
`;
}

/** Per-request response state: which headers the route's CherryPy tools would add. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  now: number;
  /** `Allow` for the matched route (absent for unknown paths). */
  allow?: string;
  /** session_id to set in the cookie (absent when the route has no session tool). */
  cookie?: string;
  /** Whether `Cache-Control: private` applies (a live session was seen). */
  cachePrivate?: boolean;
}

function headers(ex: Exchange, contentType: string, extra: Record<string, string> = {}): Record<string, string> {
  const h: Record<string, string> = { 'Content-Type': contentType, Server: 'CherryPy/18.8.0', Date: httpDate(ex.now) };
  if (ex.allow) h.Allow = ex.allow;
  h['Access-Control-Allow-Origin'] = String(ex.req.headers.origin ?? '*');
  h['Access-Control-Expose-Headers'] = 'GET, POST';
  h['Access-Control-Allow-Credentials'] = 'true';
  if (ex.cachePrivate) h['Cache-Control'] = 'private';
  Object.assign(h, extra);
  h.Vary = 'Accept-Encoding';
  if (ex.cookie) h['Set-Cookie'] = `session_id=${ex.cookie}; expires=${httpDate(ex.now + SESSION_TTL_SECONDS * 1000)}; Max-Age=${SESSION_TTL_SECONDS}; Path=/`;
  return h;
}

/** Writes a complete response. */
export function send(ex: Exchange, status: number, contentType: string, body: string | Buffer, extra: Record<string, string> = {}): void {
  if (ex.res.headersSent || ex.res.destroyed) return;
  const h = headers(ex, contentType, extra);
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  h['Content-Length'] = String(buf.length);
  ex.res.writeHead(status, REASONS[status] ?? 'Unknown', h);
  ex.res.end(ex.req.method === 'HEAD' ? undefined : buf);
}

/** A CherryPy HTML error page; gzip-encoded when the client accepts it, as salt-api does. */
export function sendError(ex: Exchange, status: number, message: string, extra: Record<string, string> = {}): void {
  let body: Buffer = Buffer.from(errorPage(status, message));
  const h = { ...extra };
  if (/\bgzip\b/.test(String(ex.req.headers['accept-encoding'] ?? ''))) {
    body = gzipSync(body);
    h['Content-Encoding'] = 'gzip';
  }
  send(ex, status, 'text/html;charset=utf-8', body, h);
}

/** The media type the client accepts: JSON, YAML, or null when it accepts neither (406). */
export function negotiate(req: IncomingMessage): 'json' | 'yaml' | null {
  const accept = req.headers.accept;
  if (!accept) return 'json';
  const types = accept.split(',').map((t) => t.split(';')[0].trim().toLowerCase());
  for (const t of types) {
    if (t === 'application/json' || t === '*/*' || t === 'application/*') return 'json';
    if (t === 'application/x-yaml' || t === 'text/yaml') return 'yaml';
  }
  return null;
}

/** The 406 message CherryPy gives for an unsupported Accept header. */
export function notAcceptableMessage(req: IncomingMessage): string {
  return `Your client sent this Accept header: ${req.headers.accept}. But this resource only emits these media types: application/json, application/x-yaml.`;
}

/** Sends a value as JSON (Python spacing) or YAML, per the Accept header. */
export function sendData(ex: Exchange, status: number, value: unknown, extra: Record<string, string> = {}): void {
  if (negotiate(ex.req) === 'yaml') send(ex, status, 'application/x-yaml', toYaml(value), extra);
  else send(ex, status, 'application/json', pyJson(value), extra);
}

/** salt-api's answer to an exception inside a handler. */
export function sendUnexpected(ex: Exchange, status = 500): void {
  send(ex, status, 'application/json', pyJson({ status, return: 'An unexpected error occurred' }));
}
