/**
 * The activity routes on a real HTTP server: the history (both faces, filters, paging, 422, 403),
 * and the SSE stream read with fetch (ring replay, Last-Event-ID from the database, live events,
 * the per-user category filter, keepalive, html fragments, the status while Salt is missing, and
 * the stream ending when the server shuts down).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { createParser } from 'eventsource-parser';
import { describeEachEngine } from '../../test/support/db.ts';
import { useTestApp } from '../../test/support/app.ts';
import { signInAdmin, userWithRoles, type TestSession } from '../../test/support/auth.ts';
import { createRole } from '../rbac/service.ts';
import { PermissionCache } from '../rbac/service.ts';
import { EventHub } from './hub.ts';
import { insertActivityEvents } from './service.ts';
import { normalizeEvent, type NormalizedEvent } from './normalize.ts';
import { ActivityPage, type ActivityEvent } from './schemas.ts';

interface SseMessage { event: string; data: string; id?: string }

/** An SSE client on fetch: collects messages and comments until closed. */
function openSse(url: string, headers: Record<string, string>) {
  const messages: SseMessage[] = [];
  const comments: string[] = [];
  const ctrl = new AbortController();
  let ended = false;
  let status = 0;
  const parser = createParser({
    onEvent: (m) => messages.push({ event: m.event ?? 'message', data: m.data, id: m.id }),
    onComment: (c) => comments.push(c.trim()),
  });
  const done = (async () => {
    const res = await fetch(url, { headers, signal: ctrl.signal });
    status = res.status;
    if (!res.body) return;
    const decoder = new TextDecoder();
    try {
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.feed(decoder.decode(value, { stream: true }));
      }
    } catch {
      // aborted by the test
    }
    ended = true;
  })();
  return {
    messages, comments, get ended() { return ended; }, get status() { return status; }, done,
    close: () => ctrl.abort(),
    async waitFor(pred: () => boolean, what = 'condition', ms = 5000) {
      const deadline = Date.now() + ms;
      while (!pred()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(messages.map((m) => `${m.event}:${m.id ?? ''}`))}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
  };
}

const ev = (tag: string, data: Record<string, unknown>): NormalizedEvent => normalizeEvent({ tag, data: { _stamp: '2026-11-24T15:31:02.000000', ...data } })!;
const JID = '20261124153102569287';

describeEachEngine('activity routes', (engine) => {
  const hub = new EventHub({ ringSize: 3, keepaliveMs: 40 });
  const ctx = useTestApp(engine, { deps: { hub } });
  let server: Server;
  let base: string;
  let admin: TestSession;
  let keysOnly: TestSession;
  let stored: ActivityEvent[];

  before(async () => {
    const { app, handle } = ctx();
    admin = await signInAdmin(app);
    await createRole(handle.db, new PermissionCache(), {
      name: 'key-watcher',
      permissions: [{ verb: 'view', resource: 'activity:*' }, { verb: 'view', resource: 'key:*' }],
    });
    keysOnly = await userWithRoles(app, handle.db, 'kim', ['key-watcher']);
    stored = await insertActivityEvents(handle.db, 'default', [
      ev(`salt/job/${JID}/new`, { jid: JID, fun: 'test.ping', tgt: '*', minions: ['web01', 'web02'], user: 'saltdev' }),
      ev(`salt/job/${JID}/ret/web01`, { id: 'web01', fun: 'test.ping', retcode: 0, success: true, return: true }),
      ev('salt/key', { act: 'accept', id: '<b>db01</b>' }),
      ev('salt/minion/web02/start', { id: 'web02', data: 'Minion web02 started' }),
      ev('salt/auth', { act: 'pend', id: 'db02' }),
    ]);
    hub.publish(stored);
    server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }) as Server;
    await new Promise<void>((r) => (server.listening ? r() : server.once('listening', () => r())));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    hub.closeAll();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  test('GET /api/activity: JSON page, newest first, filtered, paged with before', async () => {
    const { app } = ctx();
    const res = await app.request('/api/activity?limit=2', { headers: admin.get });
    assert.equal(res.status, 200);
    const page = ActivityPage.parse(await res.json());
    assert.deepEqual(page.data.map((e) => e.kind), ['key.pend', 'minion.start']);
    assert.equal(page.next_before, page.data[1]!.id);
    const older = ActivityPage.parse(await (await app.request(`/api/activity?limit=2&before=${page.next_before}`, { headers: admin.get })).json());
    assert.deepEqual(older.data.map((e) => e.kind), ['key.accept', 'job.ret']);
    const byJid = ActivityPage.parse(await (await app.request(`/api/activity?jid=${JID}`, { headers: admin.get })).json());
    assert.deepEqual(byJid.data.map((e) => e.kind), ['job.ret', 'job.new']);
    const filters: [string, string[]][] = [
      ['category=key', ['key.pend', 'key.accept']],
      ['minion=web01', ['job.ret']],
      ['tag=salt/minion/', ['minion.start']],
      ['kind=job.new', ['job.new']],
      ['since=2026-11-24T15:31:02Z&until=2026-11-24T15:31:03Z&category=minion', ['minion.start']],
      ['until=2026-11-24T15:31:01Z', []],
    ];
    for (const [qs, kinds] of filters) {
      const p = ActivityPage.parse(await (await app.request(`/api/activity?${qs}`, { headers: admin.get })).json());
      assert.deepEqual(p.data.map((e) => e.kind), kinds, qs);
    }
  });

  test('GET /api/activity: the fragment escapes the data; the page connects to the stream after the newest row', async () => {
    const { app } = ctx();
    const frag = await (await app.request('/api/activity?category=key', { headers: { ...admin.get, 'HX-Request': 'true' } })).text();
    assert.ok(frag.includes('&lt;b>db01&lt;/b>'), 'the minion id is escaped');
    assert.ok(!frag.includes('<b>db01</b>'));
    const page = await (await app.request('/activity', { headers: { ...admin.get, Accept: 'text/html' } })).text();
    assert.match(page, /<title>Activity · Halite<\/title>/);
    assert.ok(page.includes(`sse-connect="/api/activity/stream?format=html&after=${stored.at(-1)!.id}"`), 'resumes after the newest row shown');
    assert.ok(page.includes('sse-swap="job,key,minion"'));
    assert.ok(page.includes('Salt is not connected'), 'the status says why nothing is live');
  });

  test('GET /api/activity: 422 on a bad filter, 403 without view:activity, categories limited by permissions', async () => {
    const { app, handle } = ctx();
    const bad = await app.request('/api/activity?jid=123&category=nope', { headers: admin.get });
    assert.equal(bad.status, 422);
    const body = (await bad.json()) as { fields: { field: string }[] };
    assert.deepEqual(body.fields.map((f) => f.field).sort(), ['category', 'jid']);
    const kim = ActivityPage.parse(await (await app.request('/api/activity', { headers: keysOnly.get })).json());
    assert.deepEqual(kim.data.map((e) => e.category), ['key', 'key']);
    await createRole(handle.db, new PermissionCache(), { name: 'no-activity', permissions: [{ verb: 'view', resource: 'job:*' }] });
    const nobody = await userWithRoles(app, handle.db, 'ned', ['no-activity']);
    assert.equal((await app.request('/api/activity', { headers: nobody.get })).status, 403);
    assert.equal((await app.request('/api/activity')).status, 401);
  });

  test('SSE: replays the ring, then live events; ids are the stored ids; keepalive comments', async () => {
    const s = openSse(`${base}/api/activity/stream`, admin.get);
    try {
      await s.waitFor(() => s.messages.filter((m) => m.id).length === 3, 'the ring (3 events)');
      assert.equal(s.status, 200);
      assert.equal(s.messages[0]!.event, 'status');
      assert.deepEqual(s.messages.filter((m) => m.id).map((m) => Number(m.id)), stored.slice(-3).map((e) => e.id));
      const { handle } = ctx();
      const [live] = await insertActivityEvents(handle.db, 'default', [ev('salt/key', { act: 'reject', id: 'web09' })]);
      hub.publish([live!]);
      await s.waitFor(() => s.messages.some((m) => m.id === String(live!.id)), 'the live event');
      const msg = s.messages.find((m) => m.id === String(live!.id))!;
      assert.equal(msg.event, 'key');
      assert.equal((JSON.parse(msg.data) as ActivityEvent).summary, 'Key web09 rejected');
      await s.waitFor(() => s.comments.includes('keepalive'), 'a keepalive comment');
    } finally {
      s.close();
    }
  });

  test('SSE: Last-Event-ID older than the ring is served from the database; a user sees only allowed categories', async () => {
    const first = stored[0]!.id;
    const s = openSse(`${base}/api/activity/stream`, { ...admin.get, 'Last-Event-ID': String(first) });
    const k = openSse(`${base}/api/activity/stream?after=0`, keysOnly.get);
    try {
      await s.waitFor(() => s.messages.some((m) => m.id === String(stored.at(-1)!.id)), 'catch-up to the newest stored event');
      const ids = s.messages.filter((m) => m.id).map((m) => Number(m.id));
      assert.equal(ids[0], stored[1]!.id, 'starts right after Last-Event-ID');
      assert.deepEqual(ids, [...ids].sort((a, b) => a - b), 'in order');
      assert.equal(new Set(ids).size, ids.length, 'no duplicates');
      await k.waitFor(() => k.messages.filter((m) => m.id).length >= 2, 'key events');
      const { handle } = ctx();
      const more = await insertActivityEvents(handle.db, 'default', [
        ev('salt/job/20261124153102569288/new', { fun: 'test.ping', tgt: '*', minions: [] }),
        ev('salt/key', { act: 'delete', id: 'web09' }),
      ]);
      hub.publish(more);
      await k.waitFor(() => k.messages.some((m) => m.id === String(more[1]!.id)), 'the live key event');
      assert.ok(k.messages.filter((m) => m.id).every((m) => m.event === 'key'), 'no job or minion events for a key-only user');
    } finally {
      s.close();
      k.close();
    }
  });

  test('SSE format=html: escaped <tr> fragments and *-changed events for live refresh', async () => {
    const s = openSse(`${base}/api/activity/stream?format=html&after=now`, admin.get);
    try {
      await s.waitFor(() => s.messages.some((m) => m.event === 'status'), 'the status');
      assert.match(s.messages[0]!.data, /id="activity-status"/);
      const { handle } = ctx();
      const [e] = await insertActivityEvents(handle.db, 'default', [ev('salt/key', { act: 'accept', id: 'web<1>' })]);
      hub.publish([e!]);
      await s.waitFor(() => s.messages.some((m) => m.event === 'minion-changed-web_1_'), 'the per-minion event');
      const row = s.messages.find((m) => m.event === 'key')!;
      assert.equal(row.id, String(e!.id));
      assert.match(row.data, /^<tr id="activity-\d+"/);
      assert.ok(row.data.includes('web&lt;1>') && !row.data.includes('web<1>'));
      assert.deepEqual(s.messages.filter((m) => m.event.includes('changed')).map((m) => [m.event, m.data]), [
        ['key-changed', 'web<1>'], ['key-changed-web_1_', 'web<1>'], ['minion-changed', 'web<1>'], ['minion-changed-web_1_', 'web<1>'],
      ]);
    } finally {
      s.close();
    }
  });

  test('SSE: a stream ends after maxStreamMs (the reconnect re-checks the session); a signed-out session is refused', async () => {
    const { app } = ctx();
    const short = new EventHub({ maxStreamMs: 50 });
    const own = serve({ fetch: (req, env) => app.fetch(req, env), hostname: '127.0.0.1', port: 0 }) as Server;
    await new Promise<void>((r) => (own.listening ? r() : own.once('listening', () => r())));
    const url = `http://127.0.0.1:${(own.address() as AddressInfo).port}`;
    const deps = ctx().deps;
    const saved = deps.hub;
    deps.hub = short;
    try {
      const s = openSse(`${url}/api/activity/stream?after=now`, admin.get);
      await s.waitFor(() => s.ended, 'the end after maxStreamMs');
      assert.equal(s.status, 200);
      const other = await signInAdmin(app);
      await app.request('/api/auth/logout', { method: 'POST', headers: other.json });
      const refused = await fetch(`${url}/api/activity/stream`, { headers: other.get });
      assert.equal(refused.status, 401);
      await refused.body?.cancel();
    } finally {
      deps.hub = saved;
      own.closeAllConnections();
      await new Promise<void>((r) => own.close(() => r()));
    }
  });

  test('SSE: a closed hub subscription and a server shutdown both end the stream', async () => {
    const s = openSse(`${base}/api/activity/stream?after=now`, admin.get);
    await s.waitFor(() => s.messages.length > 0, 'the status');
    assert.equal(hub.subscriberCount, 1);
    hub.closeAll();
    await s.waitFor(() => s.ended, 'the end of the stream');
    const t = openSse(`${base}/api/activity/stream?after=now`, admin.get);
    await t.waitFor(() => t.messages.length > 0, 'the status');
    server.closeAllConnections();
    await t.waitFor(() => t.ended, 'the end after closeAllConnections');
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(hub.subscriberCount, 0, 'the subscriber is gone');
  });
});
