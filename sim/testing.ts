/**
 * @module sim/testing
 * Small helpers for tests that talk to a simulator over real HTTP: a raw request with exactly the
 * given headers, a login, a lowstate call, and a raw /events reader that keeps the bytes.
 */
import { request } from 'node:http';

/** A complete HTTP response. */
export interface RawResponse { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }

/** A request with exactly the given headers (fetch would add Content-Type and Accept-Encoding). */
export function rawRequest(url: string, method: string, headers: Record<string, string> = {}, body?: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const len = body !== undefined ? { 'Content-Length': String(Buffer.byteLength(body)) } : {};
    const req = request(url, { method, agent: false, headers: { ...headers, ...len } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Logs in through `/login` (eauth auto) and returns the session token. */
export async function login(baseUrl: string, extra: Record<string, unknown> = {}, username = 'saltdev'): Promise<string> {
  const r = await rawRequest(`${baseUrl}/login`, 'POST', { 'Content-Type': 'application/json', Accept: 'application/json' },
    JSON.stringify({ username, password: 'x', eauth: 'auto', ...extra }));
  if (r.status !== 200) throw new Error(`login failed: ${r.status}`);
  return JSON.parse(r.body.toString()).return[0].token;
}

/** POSTs lowstate chunks to `/` and returns status and parsed JSON (or the raw text). */
export async function call(baseUrl: string, token: string, chunks: unknown[]): Promise<{ status: number; body: any }> {
  const r = await rawRequest(`${baseUrl}/`, 'POST', { 'X-Auth-Token': token, 'Content-Type': 'application/json', Accept: 'application/json' },
    JSON.stringify(chunks));
  const text = r.body.toString();
  return { status: r.status, body: String(r.headers['content-type']).startsWith('application/json') ? JSON.parse(text) : text };
}

/** An open /events response read as raw text. */
export interface RawStream {
  status: number;
  /** Everything received so far. */
  text(): string;
  /** Resolves when the text satisfies `pred` (rejects after `ms`). */
  until(pred: (text: string) => boolean, ms?: number): Promise<string>;
  /** Resolves when the server ends the response. */
  ended: Promise<void>;
  close(): void;
}

/** Opens `/events<query>` and collects the bytes. */
export function openEvents(baseUrl: string, query: string, headers: Record<string, string> = {}): Promise<RawStream> {
  return new Promise((resolve, reject) => {
    const req = request(`${baseUrl}/events${query}`, { agent: false, headers }, (res) => {
      let buf = '';
      const waiters = new Set<() => void>();
      let endResolve!: () => void;
      const ended = new Promise<void>((r) => { endResolve = r; });
      res.setEncoding('utf8');
      res.on('data', (c: string) => { buf += c; for (const w of [...waiters]) w(); });
      res.on('end', () => endResolve());
      res.on('close', () => endResolve());
      resolve({
        status: res.statusCode ?? 0,
        text: () => buf,
        ended,
        until(pred, ms = 3000) {
          return new Promise((ok, fail) => {
            const check = () => { if (pred(buf)) { waiters.delete(check); clearTimeout(timer); ok(buf); } };
            const timer = setTimeout(() => { waiters.delete(check); fail(new Error(`timed out waiting; got:\n${buf.slice(-2000)}`)); }, ms);
            waiters.add(check);
            check();
          });
        },
        close() { req.destroy(); },
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** Splits raw /events text into `{tag, data}` blocks, checking Salt's framing on the way. */
export function parseFrames(text: string): Array<{ tag: string; data: Record<string, unknown>; raw: string }> {
  const body = text.startsWith('retry: 400\n') ? text.slice('retry: 400\n'.length) : text;
  return body.split('\n\n').filter(Boolean).map((raw) => {
    const m = /^tag: (.*)\ndata: (.*)$/s.exec(raw);
    if (!m) throw new Error(`bad frame: ${JSON.stringify(raw)}`);
    const parsed = JSON.parse(m[2]);
    return { tag: m[1], data: parsed.data, raw };
  });
}
