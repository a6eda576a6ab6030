/**
 * @module sim/stream.test
 * /events against the recordings: the exact framing of events.sse (`retry: 400\n` glued to the
 * first block, `tag:`/`data:` blocks with Python-spaced JSON), the event kinds and data shapes
 * Salt emitted for the triggers of the recorded capture, and the end of the stream one event
 * after the token expires or is logged out (events-token-expiry.sse, events-logout-while-open.sse).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startSimulator, type Simulator } from './server.ts';
import { shapeDiff } from './shape.ts';
import { call, login, openEvents, parseFrames, rawRequest } from './testing.ts';
import { RECORDINGS_DIR } from '../test/support/recordings.ts';

const DIR = RECORDINGS_DIR;
const recorded = (name: string) => readFileSync(path.join(DIR, name), 'utf8');

/** An event's kind: its tag with jids and minion ids replaced. */
const kindOf = (tag: string) => tag.replace(/\d{20}/g, '<jid>').replace(/\/(web|db)\d+(\/|$)/, '/<mid>$2').replace(/\/ret\/[^/]+$/, '/ret/<mid>');

describe('/events framing and event shapes match events.sse', () => {
  let sim: Simulator;
  let token: string;
  before(async () => {
    sim = await startSimulator({ preset: 'lab', jobDurationMs: 5, presenceIntervalMs: 30, sharedSecret: 'saltlab-shared-secret' });
    token = await login(sim.url);
  });
  after(() => sim.close());

  test('the recorded stream starts with retry: 400 glued to the first block', () => {
    const text = recorded('events.sse');
    assert.ok(text.startsWith('retry: 400\ntag: '), 'recording framing changed');
    assert.ok(parseFrames(text).length > 20);
  });

  test('the simulator emits the same framing, kinds and data shapes for the recorded triggers', async () => {
    const stream = await openEvents(sim.url, `?token=${token}`);
    assert.equal(stream.status, 200);
    // The triggers of events-timeline.txt, in order.
    await call(sim.url, token, [{ client: 'local', tgt: '*', fun: 'test.ping' }]);
    await call(sim.url, token, [{ client: 'local', tgt: '*', fun: 'state.apply', arg: ['demo'] }]);
    await call(sim.url, token, [{ client: 'runner', fun: 'manage.status' }]);
    await rawRequest(`${sim.url}/hook/saltlab/deploy`, 'POST', { 'Accept-Encoding': 'identity', 'X-Auth-Token': token, Accept: 'application/json',
      'Content-Type': 'application/json' }, '{"app": "demo", "version": "2.0"}');
    await call(sim.url, token, [{ client: 'wheel', fun: 'key.accept', match: 'db01' }]);
    await stream.until((t) => t.includes('salt/minion/db01/start'));
    await call(sim.url, token, [{ client: 'local', tgt: '*', fun: 'test.ping' }]);
    await call(sim.url, token, [{ client: 'wheel', fun: 'key.reject', match: 'db01', include_accepted: true }]);
    await call(sim.url, token, [{ client: 'wheel', fun: 'key.delete', match: 'db01' }]);
    sim.master.minionStart('web02');
    await call(sim.url, token, [{ client: 'local_async', tgt: '*', fun: 'test.sleep', arg: [0] }]);
    await stream.until((t) => /ret\/web02[\s\S]*ret\/web01|ret\/web01[\s\S]*ret\/web02/.test(t.slice(t.lastIndexOf('test.sleep') - 2000)) && t.includes('"rotate_aes_key"'));
    await stream.until((t) => t.includes('salt/presence/present') && t.includes('"act": "pend"'));
    const text = stream.text();
    stream.close();

    assert.ok(text.startsWith('retry: 400\ntag: '), 'no blank line after retry: 400');
    const ours = parseFrames(text);
    for (const f of ours) {
      assert.match(f.raw, /^tag: [^\n]+\ndata: \{"data": \{.*\}, "tag": "[^"]*"\}$/s, 'frame layout and Python spacing');
      assert.equal(JSON.parse(f.raw.split('\ndata: ')[1]).tag, f.tag, 'tag line equals the JSON tag');
      assert.match(String(f.data._stamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    }
    const theirs = parseFrames(recorded('events.sse'));
    const byKind = new Map<string, Array<Record<string, unknown>>>();
    for (const f of theirs) byKind.set(kindOf(f.tag), [...(byKind.get(kindOf(f.tag)) ?? []), f.data]);
    const ourKinds = new Set(ours.map((f) => kindOf(f.tag)));
    for (const kind of byKind.keys()) assert.ok(ourKinds.has(kind), `the simulator never emitted ${kind}`);
    for (const f of ours) {
      const samples = byKind.get(kindOf(f.tag));
      if (!samples) continue;
      // A webhook event echoes the caller's headers; node adds Connection, the recorder did not.
      if (f.tag.startsWith('salt/netapi/hook/')) delete (f.data.headers as Record<string, unknown>).Connection;
      const diffs = samples.map((s) => shapeDiff(s, f.data)).sort((a, b) => a.length - b.length)[0];
      assert.deepEqual(diffs, [], `${f.tag} data differs from the recording`);
    }
    // Each wheel call fires two new/ret pairs with different jids; the first is the caller's.
    const wheelNew = ours.filter((f) => /^salt\/wheel\/\d{20}\/new$/.test(f.tag) && f.data.fun === 'wheel.key.delete');
    assert.equal(wheelNew.length, 2);
    assert.notEqual(wheelNew[0].data.jid, wheelNew[1].data.jid);
  });
});

describe('/events ends one event after the token dies', () => {
  test('401 HTML before the stream for a missing or bogus token', async () => {
    const sim = await startSimulator({ preset: 'lab' });
    try {
      for (const q of ['', '?token=0123456789abcdef', '?token=nothex']) {
        const s = await openEvents(sim.url, q);
        await s.ended;
        assert.equal(s.status, 401);
        assert.match(s.text(), /<p>No permission -- see authorization schemes<\/p>/);
      }
    } finally {
      await sim.close();
    }
  });

  test('token expiry: one more event is delivered, then the response ends; reconnecting gets 401', async () => {
    const clock = { offset: 0 };
    const sim = await startSimulator({ preset: 'lab', jobDurationMs: 5, clock: () => Date.now() + clock.offset });
    try {
      const token = await login(sim.url, { token_expire: 20 });
      const stream = await openEvents(sim.url, `?token=${token}`);
      sim.emit('before/expiry', { n: 1 });
      await stream.until((t) => t.includes('before/expiry'));
      clock.offset += 21_000;
      let ended = false;
      void stream.ended.then(() => { ended = true; });
      await new Promise((r) => setTimeout(r, 30));
      assert.equal(ended, false, 'no event yet, so the stream stays open (Salt checks only when an event arrives)');
      sim.emit('after/expiry', { n: 2 });
      await stream.ended;
      const frames = parseFrames(stream.text());
      assert.deepEqual(frames.map((f) => f.tag), ['before/expiry', 'after/expiry']);
      sim.emit('too/late', {});
      const again = await openEvents(sim.url, `?token=${token}`);
      await again.ended;
      assert.equal(again.status, 401);
    } finally {
      await sim.close();
    }
  });

  test('like events-token-expiry.sse: a publish with the expired token fires salt/job/error, the last event', async () => {
    const theirs = parseFrames(recorded('events-token-expiry.sse'));
    assert.equal(theirs.at(-1)!.tag, 'salt/job/error');
    const clock = { offset: 0 };
    const sim = await startSimulator({ preset: 'lab', jobDurationMs: 5, clock: () => Date.now() + clock.offset });
    try {
      const token = await login(sim.url, { token_expire: 20 });
      const stream = await openEvents(sim.url, `?token=${token}`);
      await call(sim.url, token, [{ client: 'local', tgt: 'web01', fun: 'test.ping' }]);
      await stream.until((t) => t.includes('/ret/web01'));
      clock.offset += 21_000;
      const refused = await call(sim.url, token, [{ client: 'local', tgt: 'web01', fun: 'test.ping' }]);
      assert.equal(refused.status, 401);
      await stream.ended;
      const ours = parseFrames(stream.text());
      assert.equal(ours.at(-1)!.tag, 'salt/job/error');
      assert.deepEqual(shapeDiff(theirs.at(-1)!.data, ours.at(-1)!.data), []);
    } finally {
      await sim.close();
    }
  });

  test('logout while open: like events-logout-while-open.sse, one more event then the end', async () => {
    const recordedText = recorded('events-logout-while-open.sse');
    assert.ok(recordedText.startsWith('retry: 400\ntag: ') && recordedText.endsWith('\n\n'));
    const sim = await startSimulator({ preset: 'lab', jobDurationMs: 5 });
    try {
      const token = await login(sim.url);
      const stream = await openEvents(sim.url, '', { 'X-Auth-Token': token });
      await call(sim.url, token, [{ client: 'local', tgt: 'web01', fun: 'test.ping' }]);
      await stream.until((t) => t.includes('/ret/web01'));
      const before = parseFrames(stream.text()).length;
      assert.equal((await rawRequest(`${sim.url}/logout`, 'POST', { 'X-Auth-Token': token })).status, 200);
      const other = await login(sim.url);
      await call(sim.url, other, [{ client: 'local', tgt: 'web01', fun: 'test.ping' }]);
      await stream.ended;
      const frames = parseFrames(stream.text());
      assert.equal(frames.length, before + 1, 'exactly one event after logout');
      assert.match(frames.at(-1)!.tag, /^\d{20}$/, 'the bare <jid> event is the last one, as recorded');
    } finally {
      await sim.close();
    }
  });

  test('salt_token, header and cookie give the same stream as ?token=', async () => {
    const sim = await startSimulator({ preset: 'lab' });
    try {
      const token = await login(sim.url);
      const raw = JSON.parse((await rawRequest(`${sim.url}/token`, 'POST', { 'Content-Type': 'application/json' },
        JSON.stringify({ username: 'saltdev', password: 'x', eauth: 'auto' }))).body.toString())[0].token;
      const streams = await Promise.all([
        openEvents(sim.url, `?token=${token}`), openEvents(sim.url, `?salt_token=${raw}`),
        openEvents(sim.url, '', { 'X-Auth-Token': token }), openEvents(sim.url, '', { Cookie: `session_id=${token}` }),
      ]);
      sim.emit('same/for/all', { x: 1 });
      const texts = await Promise.all(streams.map((s) => s.until((t) => t.includes('same/for/all'))));
      assert.equal(new Set(texts.map((t) => t.replace(/"_stamp": "[^"]+"/, ''))).size, 1);
      for (const s of streams) s.close();
    } finally {
      await sim.close();
    }
  });
});
