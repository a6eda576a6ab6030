/**
 * The /events reader against the recorded stream bytes (framing, tags, order) and against
 * scripted connections (drops, clean ends, 401s, aborts), with an injected sleep.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
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
      urls.push(String(input));
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
    assert.equal(h.urls[0], 'http://salt.test:8000/events?token=tok0');
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
    assert.equal(new URL(h.urls[1]).searchParams.get('token'), 'tok1');
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
