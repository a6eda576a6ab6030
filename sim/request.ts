/**
 * @module sim/request
 * Reading a salt-api request the way CherryPy's tools do: the body by Content-Type (JSON, form,
 * YAML; 406 without a Content-Type, 400 for broken JSON), lowstate normalisation, and where the
 * session id comes from (`X-Auth-Token` header or `session_id` cookie — never the query string).
 */
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { HttpError, type Lowstate } from './lowstate.ts';

/** Reads the whole request body. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Parses a body per its Content-Type; `undefined` for an empty body. */
export function parseBody(req: IncomingMessage, raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  const ct = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const text = raw.toString('utf8');
  if (!ct) throw new HttpError(406, 'Content type not supported');
  if (ct === 'application/json' || ct === 'text/plain') {
    try {
      return JSON.parse(text);
    } catch {
      throw new HttpError(400, 'Invalid JSON document');
    }
  }
  if (ct === 'application/x-www-form-urlencoded') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of new URLSearchParams(text)) {
      const prev = out[k];
      out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    return out;
  }
  if (ct === 'application/x-yaml' || ct === 'text/yaml') {
    try {
      return parseYaml(text);
    } catch {
      throw new HttpError(400, 'Invalid YAML document');
    }
  }
  throw new HttpError(406, 'Content type not supported');
}

/** salt-api's lowdata handling: a dict becomes a one-chunk list; anything else but a list is a 400. */
export function toLowstates(body: unknown): Lowstate[] {
  const list = body && typeof body === 'object' && !Array.isArray(body) ? [body] : body;
  if (!Array.isArray(list) || list.some((c) => !c || typeof c !== 'object' || Array.isArray(c))) {
    throw new HttpError(400, 'Lowstates must be a list');
  }
  return list as Lowstate[];
}

/** The session id a request presents: the X-Auth-Token header, else the session_id cookie. */
export function sessionIdOf(req: IncomingMessage): string | undefined {
  const header = req.headers['x-auth-token'];
  if (typeof header === 'string' && header) return header;
  const cookie = String(req.headers.cookie ?? '');
  const m = /(?:^|;\s*)session_id=([^;]+)/.exec(cookie);
  return m ? m[1] : undefined;
}

/** Request headers as CherryPy shows them to webhooks (Title-Case, plus Remote-Addr). */
export function titleCaseHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = { 'Remote-Addr': req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1' };
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i].split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase()).join('-');
    out[name] = req.rawHeaders[i + 1];
  }
  return out;
}
