/**
 * @module
 * The run feature's route-test bed: an app on a test database, the simulator's lab fleet (plus a
 * minion with a hostile id), a Salt client that records every lowstate it sends and can dispatch
 * runner jobs, the minion snapshot ingested, an activity hub whose stream status tests switch,
 * and sessions for an admin, a viewer and a role allowed only `run` on `salt:test.*`.
 */
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { useTestApp, type TestApp } from '../../test/support/app.ts';
import { signInAdmin, userWithRoles, type TestSession } from '../../test/support/auth.ts';
import { startSimulator, type Simulator } from '../../sim/server.ts';
import { SaltApiClient } from '../salt/client.ts';
import type { Runtime } from '../runtime-types.ts';
import type { DbEngine } from '../db/types.ts';
import { auditLog } from '../auth/model.ts';
import { appSettings } from '../settings/model.ts';
import { ingestMinions } from '../minions/ingest.ts';
import { createRole, PermissionCache } from '../rbac/service.ts';
import { EventHub } from '../activity/hub.ts';
import { RunPreview } from './schemas.ts';

export const EVIL = 'evil<b>"x';
export const HX = { 'HX-Request': 'true' };
/** The simulator's minions return after 5 ms. */
export const settle = () => new Promise((r) => setTimeout(r, 80));

/**
 * A client whose `lookups` answer jobs.lookup_jid for chosen jids (the simulator has no
 * orchestrate runner); its dispatches are recorded by the testbed's fetch.
 */
export class BatchCapableClient extends SaltApiClient {
  readonly lookups = new Map<string, Record<string, unknown>>();
  override async lookupJid(jid: string): Promise<Record<string, unknown>> {
    return this.lookups.get(jid) ?? super.lookupJid(jid);
  }
}

/** jobs.lookup_jid of a finished batch runner, as Salt 3007.14 answers it (scripts/salt-lab). */
export function orchestrationAnswer(jid: string, rets: Record<string, unknown>): Record<string, unknown> {
  return {
    'salt-lab-master': {
      fun: 'runner.state.orchestrate_single', jid, user: 'saltdev', success: true,
      return: { 'salt-lab-master': { 'salt_|-test.ping_|-test.ping_|-function': { name: 'test.ping', changes: { ret: rets }, result: true, comment: 'Function ran successfully.', __run_num__: 0 } } },
    },
  };
}

export interface RunTestbed {
  ctx: () => TestApp;
  sim: Simulator;
  client: BatchCapableClient;
  /** Every lowstate sent to salt-api (tests clear it). */
  sent: Record<string, unknown>[];
  hub: EventHub;
  admin: TestSession;
  viewer: TestSession;
  pinger: TestSession;
  /** Replaces the runtime's Salt client (null: Salt unconfigured). */
  setSalt(salt: SaltApiClient | null): void;
  post(path: string, body: unknown, s?: TestSession, headers?: Record<string, string>): Promise<Response>;
  postForm(path: string, fields: Record<string, string>, s?: TestSession, headers?: Record<string, string>): Promise<Response>;
  get(path: string, s?: TestSession, headers?: Record<string, string>): Promise<Response>;
  preview(body: Record<string, unknown>): Promise<RunPreview>;
  auditRows(action: string): Promise<(typeof auditLog.$inferSelect)[]>;
  setThreshold(n: number): Promise<void>;
}

/** Registers the bed's before/after hooks in the calling suite; its fields are set in before(). */
export function useRunTestbed(engine: DbEngine): RunTestbed {
  let salt: SaltApiClient | null = null;
  const runtime: Runtime = {
    get salt() {
      return salt;
    },
    status: () => ({ state: salt ? 'ok' : 'unconfigured', message: null, since: new Date().toISOString(), nextRetryAt: null }),
  };
  const hub = new EventHub();
  const ctx = useTestApp(engine, { deps: { runtime, hub } });
  const tb = { ctx, hub, sent: [] as Record<string, unknown>[] } as unknown as RunTestbed;
  tb.setSalt = (s) => {
    salt = s;
  };
  tb.post = async (path, body, s = tb.admin, headers = {}) =>
    ctx().app.request(path, { method: 'POST', headers: { ...s.json, ...headers }, body: JSON.stringify(body) });
  tb.postForm = async (path, fields, s = tb.admin, headers = {}) =>
    ctx().app.request(path, {
      method: 'POST',
      headers: { Cookie: s.cookie, 'X-CSRF-Token': s.csrf, 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(fields).toString(),
    });
  tb.get = async (path, s = tb.admin, headers = {}) => ctx().app.request(path, { headers: { ...s.get, ...headers } });
  tb.preview = async (body) => {
    const res = await tb.post('/api/run/preview', { fun: 'test.ping', ...body });
    assert.equal(res.status, 200, await res.clone().text());
    return RunPreview.parse(await res.json());
  };
  tb.auditRows = async (action) => ctx().handle.db.select().from(auditLog).where(eq(auditLog.action, action));
  tb.setThreshold = async (n) => {
    await ctx().app.request('/api/auth/me', { headers: tb.admin.get });
    await ctx().handle.db.update(appSettings).set({ runConfirmThreshold: n });
  };

  before(async () => {
    tb.sim = await startSimulator({ preset: 'lab', jobDurationMs: 5, presenceIntervalMs: 0 });
    tb.sim.fleet.addMinion(EVIL, 'accepted');
    const recordingFetch: typeof fetch = async (input, init) => {
      if (typeof init?.body === 'string' && init.body.startsWith('[')) tb.sent.push(...(JSON.parse(init.body) as Record<string, unknown>[]));
      return fetch(input, init);
    };
    const url = tb.sim.url;
    tb.client = new BatchCapableClient({ url, username: 'saltdev', password: 'x', eauth: 'auto', sleep: async () => {}, maxRetries: 0, fetch: recordingFetch });
    salt = tb.client;
    const db = ctx().handle.db;
    await ingestMinions({ db, salt: tb.client, masterId: 'default', now: () => new Date() });
    tb.admin = await signInAdmin(ctx().app);
    tb.viewer = await userWithRoles(ctx().app, db, 'vic', ['viewer']);
    await createRole(db, new PermissionCache(), {
      name: 'pinger',
      permissions: [
        { verb: 'run', resource: 'salt:test.*' },
        { verb: 'view', resource: 'job:*' },
      ],
    });
    tb.pinger = await userWithRoles(ctx().app, db, 'pam', ['pinger']);
  });
  after(async () => {
    await tb.client?.logout().catch(() => {});
    await tb.sim?.close();
  });
  return tb;
}
