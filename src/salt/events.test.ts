/**
 * The /events reader against the recorded stream bytes (framing, tags, order) and against
 * scripted connections (drops, clean ends, 401s, aborts), with an injected sleep.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../../sim/server.ts';
import { SaltApiClient } from './client.ts';
import { streamSaltEvents, type EventStreamDeps } from './events.ts';
import { SaltApiError } from './errors.ts';
import type { SaltEvent, SaltEventStreamStatus } from './types.ts';
import { recordedStream, recording, toResponse } from './replay.testkit.ts';

type Ending = 'close' | 'error' | 'hang';

/** A text/event-stream Response that sends `text` in uneven chunks, then closes, errors or hangs. */
function sseResponse(text: string, ending: Ending, signal?: AbortSignal | null): Response {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  let size = 1;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      signal?.addEventListener('abort', () => controller.error(new DOMException('aborted', 'AbortError')), { once: true });
    },
    pull(controller) {
      if (offset < bytes.length) {
        // Uneven chunk sizes (1, 8, 64, 512, ...) cut lines and events at arbitrary places.
        const chunk = bytes.slice(offset, offset + size);
        offset += chunk.length;
        size = size >= 4096 ? 7 : size * 8;
        controller.enqueue(chunk);
        return;
      }
      if (ending === 'close') controller.close();
      else if (ending === 'error') controller.error(new TypeError('terminated', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) }));
      else return new Promise<void>(() => {}); // silence: never another chunk
    },
  });
  return new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream;charset=utf-8' } });
}

/** Parse the expected events straight from the capture: every `data:` line's JSON. */
function expectedEvents(capture: string): SaltEvent[] {
  return capture
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => JSON.parse(line.slice(6)) as SaltEvent)
    .map(({ tag, data }) => ({ tag, data }));
}

type Connection = { text: string; ending: Ending } | { status: 401 } | Error;

function harness(connections: Connection[]) {
  const urls: string[] = [];
  const tokenCalls: (string | undefined)[] = [];
  const delays: number[] = [];
  const statuses: SaltEventStreamStatus[] = [];
  let signals: AbortSignal[] = [];
  let n = 0;
  const deps: EventStreamDeps = {
    url: 'http://salt.test:8000',
    timeoutMs: 1000,
    logger: { warn() {}, info() {} },
    sleep: async (ms) => {
      delays.push(ms);
    },
    token: async (stale) => {
      tokenCalls.push(stale);
      return `tok${tokenCalls.filter((t) => t !== undefined).length}`;
    },
    fetch: (async (input: Parameters<typeof fetch>[0], init: RequestInit = {}) => {
      const auth = new Headers(init.headers).get('X-Auth-Token');
      urls.push(`${String(input)} X-Auth-Token=${auth}`);
      if (init.signal) signals = [...signals, init.signal];
      const step = connections[n++];
      if (!step) return sseResponse('', 'hang', init.signal);
      if (step instanceof Error) throw step;
      if ('status' in step) return toResponse(recording('events-GET-short-token-expired'));
      return sseResponse(step.text, step.ending, init.signal);
    }) as typeof fetch,
  };
  return { deps, urls, tokenCalls, delays, statuses, signals: () => signals, onStatus: (s: SaltEventStreamStatus) => statuses.push(s) };
}

async function take(iter: AsyncIterable<SaltEvent>, count: number): Promise<SaltEvent[]> {
  const out: SaltEvent[] = [];
  if (count === 0) return out;
  for await (const event of iter) {
    out.push(event);
    if (out.length === count) break;
  }
  return out;
}

describe('streamSaltEvents framing', () => {
  test('yields every event of the recorded 115 s capture, in order, tag from the JSON', async () => {
    const capture = recordedStream('events.sse');
    const expected = expectedEvents(capture);
    assert.ok(expected.length > 50, `capture has ${expected.length} events`);
    const h = harness([{ text: capture, ending: 'hang' }]);
    const events = await take(streamSaltEvents(h.deps, { onStatus: h.onStatus }), expected.length);
    assert.deepEqual(events, expected);
    assert.equal(events[0].tag, 'salt/auth', 'the first event shares its block with the retry: line');
    assert.ok(events.some((e) => e.tag.endsWith('/ret/web01')));
    // The token goes in the header: salt-api 3007.15+ refuses any query string on /events.
    assert.equal(h.urls[0], 'http://salt.test:8000/events X-Auth-Token=tok0');
    assert.deepEqual(h.statuses.map((s) => s.state), ['connecting', 'connected']);
    assert.ok(h.signals()[0].aborted, 'breaking out of the loop closes the connection');
  });

  test('falls back to the tag: line when the JSON has no tag', async () => {
    const h = harness([{ text: 'retry: 400\ntag: custom/thing\ndata: {"data": {"x": 1}}\n\n', ending: 'hang' }]);
    assert.deepEqual(await take(streamSaltEvents(h.deps), 1), [{ tag: 'custom/thing', data: { x: 1 } }]);
  });
});

describe('streamSaltEvents recovery', () => {
  test('a clean end (token expired) logs in again, then continues in order', async () => {
    const expiry = recordedStream('events-token-expiry.sse');
    const logout = recordedStream('events-logout-while-open.sse');
    const expected = [...expectedEvents(expiry), ...expectedEvents(logout)];
    const h = harness([{ text: expiry, ending: 'close' }, { text: logout, ending: 'hang' }]);
    const events = await take(streamSaltEvents(h.deps, { onStatus: h.onStatus }), expected.length);
    assert.deepEqual(events, expected);
    assert.deepEqual(h.tokenCalls, [undefined, 'tok0'], 'second connect asked to replace the first token');
    assert.equal(h.urls[1], 'http://salt.test:8000/events X-Auth-Token=tok1');
    assert.deepEqual(h.statuses.map((s) => s.state), ['connecting', 'connected', 'reconnecting', 'connected']);
    assert.match(h.statuses[2].error?.message ?? '', /ended the event stream/);
  });

  test('a drop reconnects with backoff and keeps the token; a 401 on reconnect logs in again', async () => {
    const capture = recordedStream('events-logout-while-open.sse');
    const per = expectedEvents(capture).length;
    const h = harness([{ text: capture, ending: 'error' }, { status: 401 }, { text: capture, ending: 'hang' }]);
    const events = await take(streamSaltEvents(h.deps, { onStatus: h.onStatus }), per * 2);
    assert.equal(events.length, per * 2);
    assert.deepEqual(h.tokenCalls, [undefined, undefined, 'tok0']);
    assert.deepEqual(h.delays, [500, 1000]);
    const reconnecting = h.statuses.filter((s) => s.state === 'reconnecting');
    assert.equal(reconnecting.length, 2);
    assert.ok(reconnecting[1].error instanceof SaltApiError && reconnecting[1].error.status === 401);
  });

  test('repeated failures back off up to 4 s, and a delivered event resets the backoff', async () => {
    const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }) });
    const capture = recordedStream('events-logout-while-open.sse');
    const per = expectedEvents(capture).length;
    const h = harness([refused, refused, refused, refused, refused, { text: capture, ending: 'error' }, refused, { text: capture, ending: 'hang' }]);
    await take(streamSaltEvents(h.deps), per * 2);
    assert.deepEqual(h.delays, [500, 1000, 2000, 4000, 4000, 500, 1000]);
  });

  test('silence is not a failure, and aborting the signal ends the iterator', async () => {
    const h = harness([{ text: 'retry: 400\n', ending: 'hang' }]);
    const ctrl = new AbortController();
    let connected!: () => void;
    const isConnected = new Promise<void>((resolve) => (connected = resolve));
    const onStatus = (s: SaltEventStreamStatus) => {
      h.onStatus(s);
      if (s.state === 'connected') connected();
    };
    const done = (async () => {
      const out: SaltEvent[] = [];
      for await (const e of streamSaltEvents(h.deps, { signal: ctrl.signal, onStatus })) out.push(e);
      return out;
    })();
    await isConnected;
    // Let the reader sit on the silent body for a few turns of the event loop.
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    assert.deepEqual(h.statuses.map((s) => s.state), ['connecting', 'connected']);
    ctrl.abort();
    assert.deepEqual(await done, []);
    assert.equal(h.urls.length, 1, 'no reconnect after the abort');
    assert.deepEqual(h.delays, []);
  });

  test('an abort during the backoff wait stops at once', async () => {
    const ctrl = new AbortController();
    const h = harness([new TypeError('fetch failed')]);
    h.deps.sleep = () => new Promise(() => {}); // a wait that would never end
    const iter = streamSaltEvents(h.deps, { signal: ctrl.signal, onStatus: (s) => s.state === 'reconnecting' && ctrl.abort() });
    assert.deepEqual(await take(iter, 1).catch((e: unknown) => e), []);
  });
});

/**
 * Follow a client's stream in the background: events with a `halite/test/` tag are collected and
 * waiters resolve when enough have arrived or the stream reaches its n-th `connected`.
 */
function follow(client: SaltApiClient) {
  const ctrl = new AbortController();
  const events: SaltEvent[] = [];
  const statuses: SaltEventStreamStatus[] = [];
  let wake = () => {};
  const changed = () => new Promise<void>((resolve) => (wake = resolve));
  let next = changed();
  const bump = () => {
    const w = wake;
    next = changed();
    w();
  };
  const done = (async () => {
    const stream = client.streamEvents({ signal: ctrl.signal, onStatus: (st) => (statuses.push(st), bump()) });
    for await (const e of stream) {
      if (e.tag.startsWith('halite/test/')) events.push(e);
      bump();
    }
  })();
  async function until(cond: () => boolean): Promise<void> {
    while (!cond()) await next;
  }
  return {
    events,
    statuses,
    tags: () => events.map((e) => e.tag),
    connected: (n: number) => until(() => statuses.filter((st) => st.state === 'connected').length >= n),
    received: (n: number) => until(() => events.length >= n),
    stop: async () => {
      ctrl.abort();
      await done;
    },
  };
}

describe('streamEvents against the simulator', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ minions: 5, presenceIntervalMs: 0 });
  });
  after(async () => {
    await sim.close();
  });

  const makeClient = (delays: number[] = []) =>
    new SaltApiClient({
      url: sim.url,
      username: 'saltdev',
      password: 'x',
      eauth: 'auto',
      sleep: async (ms) => {
        delays.push(ms);
      },
    });

  test('yields {tag, data} in order and recovers from a dropped stream', async () => {
    const delays: number[] = [];
    const f = follow(makeClient(delays));
    try {
      await f.connected(1);
      for (const i of [1, 2, 3]) sim.emit(`halite/test/${i}`, { i });
      await f.received(3);
      sim.faults.dropEventStreams();
      await f.connected(2);
      for (const i of [4, 5, 6]) sim.emit(`halite/test/${i}`, { i });
      await f.received(6);
      assert.deepEqual(f.tags(), [1, 2, 3, 4, 5, 6].map((i) => `halite/test/${i}`));
      assert.equal(f.events[0].data.i, 1);
      assert.equal(typeof f.events[0].data._stamp, 'string', 'Salt stamps every event');
      assert.ok(f.statuses.some((st) => st.state === 'reconnecting'));
      assert.ok(delays.length >= 1 && delays.every((d) => d <= 4000));
    } finally {
      await f.stop();
    }
  });

  test('after token expiry: one more event, then a re-login and the stream continues', async () => {
    const client = makeClient();
    const f = follow(client);
    try {
      await f.connected(1);
      const logins = sim.stats.logins;
      sim.faults.expireTokens();
      sim.emit('halite/test/last-before-expiry', {}); // delivered, then salt-api ends the stream
      await f.connected(2);
      assert.equal(sim.stats.logins, logins + 1, 'exactly one new login');
      sim.emit('halite/test/after-relogin', {});
      await f.received(2);
      assert.deepEqual(f.tags(), ['halite/test/last-before-expiry', 'halite/test/after-relogin']);
    } finally {
      await f.stop();
    }
  });

  test('a job publishes new and ret events through the stream', async () => {
    const client = makeClient();
    const seen: string[] = [];
    const ctrl = new AbortController();
    let connected!: () => void;
    const isConnected = new Promise<void>((resolve) => (connected = resolve));
    const reader = (async () => {
      for await (const e of client.streamEvents({ signal: ctrl.signal, onStatus: (st) => st.state === 'connected' && connected() })) {
        seen.push(e.tag);
        if (seen.some((t) => /^salt\/job\/\d{20}\/ret\//.test(t))) break;
      }
    })();
    await isConnected;
    const job = await client.localAsync(sim.fleet.idsWithKey('accepted')[0], 'test.ping');
    await reader;
    ctrl.abort();
    assert.ok(seen.includes(`salt/job/${job.jid}/new`), seen.join(', '));
    assert.ok(seen.some((t) => t.startsWith(`salt/job/${job.jid}/ret/`)));
  });
});
