/**
 * @module sim/control
 * The `/_sim/...` control API, so another process (the demo, a benchmark, a browser test) can
 * drive the simulator's faults and fleet over HTTP. Plain JSON in and out; never authenticated,
 * never counted in stats, never subject to faults.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KeyState } from './fleet.ts';
import type { Simulator } from './server.ts';

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Routes: `GET /_sim/stats`, `POST /_sim/stats/reset`, `POST /_sim/faults/{fail-next,latency,
 * reset-next,revoke-tokens,expire-tokens,drop-event-streams,clear}`, `POST /_sim/down-for {ms}`,
 * `POST /_sim/emit {tag,data}`, `GET /_sim/fleet`, `POST /_sim/minions/<id>/start`,
 * `POST /_sim/minions/<id>/presence {up}`, `POST /_sim/keys/<id> {state}`.
 */
export async function handleControl(sim: Simulator, req: IncomingMessage, res: ServerResponse, path: string, raw: Buffer): Promise<void> {
  let body: Record<string, unknown> = {};
  try {
    body = raw.length ? JSON.parse(raw.toString('utf8')) : {};
  } catch {
    return reply(res, 400, { error: 'invalid JSON' });
  }
  const num = (k: string, d: number) => (body[k] === undefined ? d : Number(body[k]));
  const post = req.method === 'POST';
  const f = sim.faults;
  let m: RegExpExecArray | null;
  if (path === '/_sim/stats' && !post) return reply(res, 200, sim.stats);
  if (!post) {
    if (path === '/_sim/fleet') {
      const keys = sim.fleet.keyLists();
      return reply(res, 200, { preset: sim.fleet.preset, seed: sim.fleet.seed, size: sim.fleet.size, accepted: keys.minions.length,
        pending: keys.minions_pre.length, rejected: keys.minions_rejected.length, denied: keys.minions_denied.length,
        present: sim.fleet.present(sim.master.now()).length, nodegroups: sim.fleet.nodegroups });
    }
    return reply(res, 404, { error: `no control route ${req.method} ${path}` });
  }
  switch (path) {
    case '/_sim/stats/reset': sim.resetStats(); return reply(res, 200, { ok: true });
    case '/_sim/faults/fail-next': f.failNext(num('n', 1), num('status', 500), { includeLogin: body.includeLogin === true }); return reply(res, 200, { ok: true });
    case '/_sim/faults/latency': f.latency(num('ms', 0)); return reply(res, 200, { ok: true });
    case '/_sim/faults/reset-next': f.resetNext(num('n', 1)); return reply(res, 200, { ok: true });
    case '/_sim/faults/revoke-tokens': f.revokeTokens(); return reply(res, 200, { ok: true });
    case '/_sim/faults/expire-tokens': f.expireTokens(); return reply(res, 200, { ok: true });
    case '/_sim/faults/drop-event-streams': f.dropEventStreams(); return reply(res, 200, { ok: true });
    case '/_sim/faults/clear': f.clear(); return reply(res, 200, { ok: true });
    case '/_sim/down-for': {
      const ms = num('ms', 1000);
      reply(res, 200, { ok: true, ms });
      // Answer first: going down closes this very connection.
      setTimeout(() => { void sim.downFor(ms); }, 10).unref();
      return;
    }
    case '/_sim/emit':
      sim.emit(String(body.tag ?? ''), (body.data as Record<string, unknown>) ?? {});
      return reply(res, 200, { ok: true });
  }
  if ((m = /^\/_sim\/minions\/([^/]+)\/start$/.exec(path))) { sim.master.minionStart(decodeURIComponent(m[1])); return reply(res, 200, { ok: true }); }
  if ((m = /^\/_sim\/minions\/([^/]+)\/presence$/.exec(path))) {
    sim.fleet.setPresence(decodeURIComponent(m[1]), body.up === null || body.up === undefined ? undefined : body.up === true);
    return reply(res, 200, { ok: true });
  }
  if ((m = /^\/_sim\/keys\/([^/]+)$/.exec(path))) {
    sim.fleet.setKey(decodeURIComponent(m[1]), (body.state ?? undefined) as KeyState | undefined);
    return reply(res, 200, { ok: true, state: sim.fleet.keyState(decodeURIComponent(m[1])) ?? null });
  }
  return reply(res, 404, { error: `no control route ${req.method} ${path}` });
}
