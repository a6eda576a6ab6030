/**
 * @module sim/server
 * `startSimulator()`: a salt-api (rest_cherrypy, Salt 3007) look-alike on node:http for tests,
 * benchmarks and the demo. It serves a deterministic fleet through the recorded endpoints and
 * shapes, and lets callers inject faults (5xx, latency, resets, token loss, dropped streams,
 * downtime) programmatically or over `/_sim/...`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startActivity } from './activity.ts';
import { handleApi } from './api.ts';
import { AuthStore } from './auth.ts';
import { send, type Exchange } from './cherrypy.ts';
import { handleControl } from './control.ts';
import { SimFleet, type FleetPreset } from './fleet.ts';
import { seedHistory } from './history.ts';
import { publicKeyPem, SimMaster } from './master.ts';
import { readBody } from './request.ts';
import type { StreamSet } from './stream.ts';
import { pyJson } from './wire.ts';

export { SimFleet } from './fleet.ts';

/** Simulator settings; every field is optional. */
export interface SimulatorOptions {
  /** Fleet size, 1..100000, default 20 (ignored by the `lab` preset). */
  minions?: number;
  /** Port, default 0 (random). */
  port?: number;
  /** Host, default 127.0.0.1. */
  host?: string;
  /** Seed of the deterministic fleet, default 1. */
  seed?: number;
  /** eauth token lifetime, default 43200 like Salt. */
  tokenTtlSeconds?: number;
  /** The eauth `sharedsecret` password, default 'sim-shared-secret'. */
  sharedSecret?: string;
  /** The user known to eauth auto/sharedsecret, default 'saltdev'. */
  username?: string;
  /** How long async jobs take to return, default 50 ms (test.sleep uses its argument). */
  jobDurationMs?: number;
  /** `'lab'` reproduces the recording lab (web01, web02 accepted; db01 pending); default generated. */
  preset?: FleetPreset;
  /** Clock for timestamps, jids, presence and token expiry (timers still run in real time). */
  clock?: () => number;
  /** Jobs seeded into the job cache, default 24 for generated fleets and 0 for the lab. */
  history?: number;
  /** Delay of a failed login (real Salt takes ~1 s), default 0. */
  failedLoginDelayMs?: number;
  /** Period of salt/presence/present events, default 60000 ms (0 = off); pending keys' salt/auth come every min(10 s, this). */
  presenceIntervalMs?: number;
  /** Publish a small background job every this many ms (for demos), default 0 = off. */
  activityIntervalMs?: number;
}

/** Fault injection controls. */
export interface SimFaults {
  failNext(n: number, status?: number, opts?: { includeLogin?: boolean }): void;
  latency(ms: number): void;
  resetNext(n: number): void;
  revokeTokens(): void;
  expireTokens(): void;
  dropEventStreams(): void;
  down(): Promise<void>;
  up(): Promise<void>;
  clear(): void;
}

/** A running simulator. */
export interface Simulator {
  url: string;
  port: number;
  fleet: SimFleet;
  /** The master behind the API (job cache, event bus, publishing) for tests that need to look inside. */
  master: SimMaster;
  stats: { logins: number; requests: number; byPath: Record<string, number> };
  faults: SimFaults;
  emit(tag: string, data: Record<string, unknown>): void;
  resetStats(): void;
  /** Goes down now and comes back up after `ms` (what `POST /_sim/down-for` does). */
  downFor(ms: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts a simulator and resolves once it listens. */
export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const now = opts.clock ?? Date.now;
  const host = opts.host ?? '127.0.0.1';
  const fleet = SimFleet.create({ minions: opts.minions, seed: opts.seed, preset: opts.preset });
  const master = new SimMaster(fleet, { jobDurationMs: opts.jobDurationMs ?? 50, now });
  seedHistory(master, opts.history ?? (fleet.preset === 'lab' ? 0 : 24), now());
  const auth = new AuthStore({ now, username: opts.username ?? 'saltdev', sharedSecret: opts.sharedSecret ?? 'sim-shared-secret',
    tokenTtlSeconds: opts.tokenTtlSeconds ?? 43_200 });
  const streams: StreamSet = new Set();
  const stats = { logins: 0, requests: 0, byPath: {} as Record<string, number> };
  const state = { failNext: 0, failStatus: 500, failLogin: false, latencyMs: 0, resetNext: 0 };
  const startedMs = now();
  let listening = false;

  const deps = { master, auth, streams, failedLoginDelayMs: opts.failedLoginDelayMs ?? 0, startedMs, requestCount: () => stats.requests };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim.invalid');
    if (url.pathname.startsWith('/_sim/')) return handleControl(sim, req, res, url.pathname, await readBody(req));
    stats.requests++;
    stats.byPath[url.pathname] = (stats.byPath[url.pathname] ?? 0) + 1;
    const isLogin = url.pathname === '/login';
    if (isLogin && req.method === 'POST') stats.logins++;
    if (state.resetNext > 0) {
      state.resetNext--;
      req.socket.destroy();
      return;
    }
    const fail = state.failNext > 0 && (!isLogin || state.failLogin);
    if (fail) state.failNext--;
    const raw = req.method === 'GET' ? Buffer.alloc(0) : await readBody(req);
    if (state.latencyMs > 0) await new Promise((r) => setTimeout(r, state.latencyMs));
    const ex: Exchange = { req, res, now: now() };
    if (fail) return send(ex, state.failStatus, 'application/json', pyJson({ status: state.failStatus, return: 'An unexpected error occurred' }));
    await handleApi(deps, ex, url, raw);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) { res.writeHead(500); res.end(); } else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;

  function endStreams(): void {
    for (const res of [...streams]) res.end();
    streams.clear();
  }
  const listen = (port: number) => new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => { server.off('error', reject); listening = true; resolve(); });
  });
  const stop = () => new Promise<void>((resolve) => {
    if (!listening) return resolve();
    listening = false;
    endStreams();
    server.close(() => resolve());
    server.closeAllConnections();
  });

  await listen(opts.port ?? 0);
  const port = (server.address() as AddressInfo).port;

  const presenceEvery = opts.presenceIntervalMs ?? 60_000;
  let lastPresent: Set<string> | null = null;
  const ticker = presenceEvery > 0 ? setInterval(() => {
    if (master.bus.size === 0) return;
    const present = fleet.present(now());
    master.bus.fire('salt/presence/present', { present });
    const next = new Set(present);
    if (lastPresent) {
      const lost = [...lastPresent].filter((id) => !next.has(id));
      const fresh = present.filter((id) => !lastPresent!.has(id));
      if (lost.length || fresh.length) master.bus.fire('salt/presence/change', { new: fresh, lost });
      for (const id of fresh.slice(0, 100)) master.minionStart(id);
    }
    lastPresent = next;
  }, presenceEvery) : null;
  ticker?.unref();
  // A running minion with a pending key retries authentication about every 10 s.
  const authTicker = presenceEvery > 0 ? setInterval(() => {
    if (master.bus.size === 0) return;
    for (const id of fleet.idsWithKey('pending').filter((i) => fleet.isUp(i, now())).slice(0, 50)) {
      master.bus.fire('salt/auth', { result: true, act: 'pend', id, pub: publicKeyPem(fleet.seed, id) });
    }
  }, Math.min(10_000, presenceEvery)) : null;
  authTicker?.unref();
  const stopActivity = (opts.activityIntervalMs ?? 0) > 0 ? startActivity(master, opts.activityIntervalMs!) : () => {};

  const faults: SimFaults = {
    failNext(n, status = 500, o = {}) { state.failNext = n; state.failStatus = status; state.failLogin = o.includeLogin === true; },
    latency(ms) { state.latencyMs = Math.max(0, ms); },
    resetNext(n) { state.resetNext = n; },
    revokeTokens() { auth.revokeSessions(); },
    expireTokens() { auth.expireTokens(); },
    dropEventStreams: endStreams,
    down: stop,
    async up() {
      if (listening) return;
      auth.revokeSessions();
      await listen(port);
    },
    clear() { Object.assign(state, { failNext: 0, failStatus: 500, failLogin: false, latencyMs: 0, resetNext: 0 }); },
  };

  const sim: Simulator = {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port, fleet, master, stats, faults,
    emit(tag, data) { master.bus.fire(tag, data); },
    resetStats() { stats.logins = 0; stats.requests = 0; for (const k of Object.keys(stats.byPath)) delete stats.byPath[k]; },
    async downFor(ms) {
      await stop();
      await new Promise((r) => setTimeout(r, ms));
      await faults.up();
    },
    async close() {
      if (ticker) clearInterval(ticker);
      if (authTicker) clearInterval(authTicker);
      stopActivity();
      master.close();
      await stop();
    },
  };
  return sim;
}
