import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jidTime, jobStartTime, parseStartTime, saltTimeArg } from './time.ts';

test("parseStartTime reads Salt's StartTime text as UTC, with microseconds cut to ms", () => {
  assert.equal(parseStartTime('2026, Nov 24 15:28:33.710187')?.toISOString(), '2026-11-24T15:28:33.710Z');
  assert.equal(parseStartTime('2026, Jan 02 03:04:05.000001')?.toISOString(), '2026-01-02T03:04:05.000Z');
  assert.equal(parseStartTime('2026, Nov 4 09:08:07')?.toISOString(), '2026-11-04T09:08:07.000Z');
  assert.equal(parseStartTime('2026, NOV 24 15:28:33.5')?.toISOString(), '2026-11-24T15:28:33.500Z');
});

test('parseStartTime refuses odd inputs instead of guessing', () => {
  for (const bad of ['', 'yesterday', '2026-11-24 15:28:33', '2026, Foo 24 15:28:33.1', '2026, Feb 31 00:00:00',
    '2026, Nov 24 25:00:00', '2026, Nov 24 15:61:00', null, undefined, 42, {}]) {
    assert.equal(parseStartTime(bad), null, `input ${JSON.stringify(bad)}`);
  }
});

test('jidTime decodes YYYYMMDDhhmmssffffff', () => {
  assert.equal(jidTime('20261124152833710187')?.toISOString(), '2026-11-24T15:28:33.710Z');
  assert.equal(jidTime('20000101000000000000')?.toISOString(), '2000-01-01T00:00:00.000Z');
  for (const bad of ['2026112415283371018', '2026112415283371018x', '20261324152833710187', '20260230000000000000', 20261124152833710187, null]) {
    assert.equal(jidTime(bad), null, `input ${String(bad)}`);
  }
});

test("jobStartTime prefers StartTime, falls back to the jid's time, then to the given time", () => {
  const fallback = new Date('2030-01-01T00:00:00Z');
  assert.equal(jobStartTime('2026, Nov 24 15:29:35.251082', '20261124152935251082', fallback).toISOString(), '2026-11-24T15:29:35.251Z');
  assert.equal(jobStartTime('garbage', '20261124152935251082', fallback).toISOString(), '2026-11-24T15:29:35.251Z');
  assert.equal(jobStartTime(undefined, 'not-a-jid', fallback), fallback);
});

test('saltTimeArg formats a list_jobs start_time as the recordings sent it', () => {
  assert.equal(saltTimeArg(new Date('2026-11-24T15:27:46.999Z')), '2026-11-24 15:27:46');
});
