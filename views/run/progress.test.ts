import { test } from 'node:test';
import assert from 'node:assert/strict';
import { refreshTrigger } from './progress.tsx';

const at = '2026-11-25T10:00:00.000Z';
const after = (ms: number) => new Date(Date.parse(at) + ms);
const run = { jid: '20261125100000000000', done: false, dispatched_at: at };

test('a run refreshes on its job-changed event (with a slow safety net) or polls when the stream is off, less often as it ages', () => {
  assert.equal(refreshTrigger(run, true, after(1000)), 'sse:job-changed-20261125100000000000 throttle:1s, every 5s');
  assert.equal(refreshTrigger(run, false, after(1000)), 'every 2s');
  assert.equal(refreshTrigger(run, false, after(5 * 60_000)), 'every 15s');
  assert.equal(refreshTrigger(run, false, after(60 * 60_000)), 'every 60s');
  assert.equal(refreshTrigger(run, true, after(60 * 60_000)), 'sse:job-changed-20261125100000000000 throttle:1s, every 60s');
});

test('a finished run stops refreshing', () => {
  assert.equal(refreshTrigger({ ...run, done: true }, false, after(1000)), undefined);
});
