import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { createParser } from 'eventsource-parser';
import { jobOutcome, normalizeEvent, stampOf, type RawSaltEvent } from './normalize.ts';
import { RECORDINGS_DIR } from '../../test/support/recordings.ts';

const RECORDINGS = RECORDINGS_DIR;

/** Parses a captured `/events` body the way the salt client does (tag from the JSON). */
function parseCapture(file: string): RawSaltEvent[] {
  const out: RawSaltEvent[] = [];
  const parser = createParser({
    onEvent(m) {
      const j = JSON.parse(m.data) as { tag: string; data: Record<string, unknown> };
      out.push({ tag: j.tag, data: j.data });
    },
    onError() {},
  });
  parser.feed(readFileSync(path.join(RECORDINGS, file), 'utf8'));
  return out;
}

// No silent skip: without the recordings this fails instead of testing nothing.
const files = readdirSync(RECORDINGS).filter((f) => f.endsWith('.sse'));

describe('normalizeEvent over the recorded streams', () => {
  test('every recorded .sse file parses and normalizes without throwing; nothing unknown is kept', () => {
    assert.ok(files.length >= 6, `found ${files.length} .sse files`);
    for (const f of files) {
      const events = parseCapture(f);
      assert.ok(events.length > 0, `${f} has events`);
      for (const ev of events) {
        const n = normalizeEvent(ev, new Date(0));
        if (!n) continue;
        assert.match(n.kind, /^(job\.(new|ret)|key\.(accept|reject|delete|pend)|minion\.start)$/, `${f}: ${ev.tag}`);
        assert.ok(!JSON.stringify(n.data).includes('BEGIN PUBLIC KEY'), 'public keys are not stored');
        assert.ok(n.at.getTime() > 0, `${f}: ${ev.tag} has its _stamp time`);
      }
    }
  });

  test('events.sse: the exact kept sequence', () => {
    const kept = parseCapture('events.sse').map((e) => normalizeEvent(e)).filter((n) => n !== null);
    const summary = kept.map((n) => `${n.kind} ${n.jid ?? ''} ${n.minion ?? ''} ${n.outcome ?? ''}`.replace(/\s+/g, ' ').trim());
    assert.deepEqual(summary, [
      'key.pend db01',
      'job.new 20261124153102569287',
      'job.ret 20261124153102569287 web01 ok',
      'job.ret 20261124153102569287 web02 ok',
      'job.new 20261124153105774300',
      'job.ret 20261124153105774300 web01 failed',
      'job.ret 20261124153105774300 web02 failed',
      // runner manage.status: the runner itself is dropped, its test.ping fan-out (user root) kept
      'job.new 20261124153109450169',
      'job.ret 20261124153109450169 web01 ok',
      'job.ret 20261124153109450169 web02 ok',
      'key.pend db01',
      // wheel key.accept: two new/ret pairs dropped, one salt/key kept
      'key.accept db01',
      'minion.start db01',
      'job.new 20261124153133801663',
      'job.ret 20261124153133801663 web02 ok',
      'job.ret 20261124153133801663 web01 ok',
      'job.ret 20261124153133801663 db01 ok',
      'key.reject db01',
      'key.delete db01',
      'minion.start web02',
      'job.new 20261124153218868479',
      'key.pend db01',
      'job.ret 20261124153218868479 web02 ok',
      'job.ret 20261124153218868479 web01 ok',
      'key.pend db01',
      'key.pend db01',
      'key.pend db01',
      'key.pend db01',
    ]);
  });

  test('the bare <jid> event and /publish are dropped; job.new carries the target and minions', () => {
    const events = parseCapture('events.sse');
    const jid = '20261124153102569287';
    const forJob = events.filter((e) => e.tag === jid || e.tag.startsWith(`salt/job/${jid}/`));
    assert.deepEqual(forJob.map((e) => e.tag.replace(jid, '<jid>')), [
      '<jid>', 'salt/job/<jid>/new', 'salt/job/<jid>/publish', 'salt/job/<jid>/ret/web01', 'salt/job/<jid>/ret/web02',
    ]);
    const kept = forJob.map((e) => normalizeEvent(e)).filter((n) => n !== null);
    assert.deepEqual(kept.map((n) => n.kind), ['job.new', 'job.ret', 'job.ret']);
    assert.equal(kept[0]!.fun, 'test.ping');
    assert.deepEqual(kept[0]!.data.minions, ['web01', 'web02']);
    assert.equal(kept[0]!.summary, 'test.ping on * (2 minions) by saltdev');
    assert.equal(kept[0]!.at.toISOString(), '2026-11-24T15:31:02.571Z');
  });

  test('a wheel call emits two new/ret pairs with different jids, and none is kept', () => {
    const wheel = parseCapture('events.sse').filter((e) => e.tag.startsWith('salt/wheel/'));
    assert.equal(wheel.length, 12);
    assert.equal(new Set(wheel.map((e) => e.tag.split('/')[2])).size, 6, 'three calls, two jids each');
    assert.ok(wheel.every((e) => normalizeEvent(e) === null));
  });

  test('minion_start and salt/minion/<id>/start: one start is kept', () => {
    const starts = parseCapture('events.sse').filter((e) => e.tag === 'minion_start' || /^salt\/minion\/.+\/start$/.test(e.tag));
    assert.equal(starts.length, 4);
    const kept = starts.map((e) => normalizeEvent(e)).filter((n) => n !== null);
    assert.deepEqual(kept.map((n) => `${n.kind} ${n.minion}`), ['minion.start db01', 'minion.start web02']);
    assert.match(String(kept[0]!.data.message), /^Minion db01 started at/);
  });

  test('salt/key changes are kept; salt/auth accept (re-authentication) is not, salt/auth pend is', () => {
    const events = parseCapture('events.sse');
    const auth = events.filter((e) => e.tag === 'salt/auth');
    assert.ok(auth.some((e) => e.data.act === 'accept'));
    for (const e of auth) {
      const n = normalizeEvent(e);
      if (e.data.act === 'pend') assert.equal(n?.kind, 'key.pend');
      else assert.equal(n, null);
    }
    const keys = events.filter((e) => e.tag === 'salt/key').map((e) => normalizeEvent(e)?.summary);
    assert.deepEqual(keys, ['Key db01 accepted', 'Key db01 rejected', 'Key db01 deleted']);
  });

  test('salt/job/error (the master root key in its data) is never kept', () => {
    const err = parseCapture('events-token-expiry.sse').filter((e) => e.tag === 'salt/job/error');
    assert.equal(err.length, 1);
    assert.equal(normalizeEvent(err[0]!), null);
  });

  test('the failing state run: retcode 2 and a failed state → failed, with state counts', () => {
    const ret = parseCapture('events.sse').find((e) => e.tag === 'salt/job/20261124153105774300/ret/web01')!;
    const n = normalizeEvent(ret)!;
    assert.equal(n.outcome, 'failed');
    assert.deepEqual(n.data.states, { ok: 1, changed: 0, failed: 1 });
    assert.equal(n.data.retcode, 2);
    assert.ok(!('return' in n.data), 'the full return is not stored');
  });
});

describe('jobOutcome', () => {
  const state = (result: boolean | null, changes: object) => ({ 'file_|-a_|-/a_|-managed': { result, changes } });
  test('classes ok, changes and failed', () => {
    assert.equal(jobOutcome({ fun: 'test.ping', retcode: 0, success: true, return: true }), 'ok');
    assert.equal(jobOutcome({ fun: 'cmd.run', retcode: 1, return: 'x' }), 'failed');
    assert.equal(jobOutcome({ fun: 'test.ping', success: false }), 'failed');
    assert.equal(jobOutcome({ fun: 'state.apply', retcode: 0, return: state(true, {}) }), 'ok');
    assert.equal(jobOutcome({ fun: 'state.apply', retcode: 0, return: state(true, { diff: 'x' }) }), 'changes');
    assert.equal(jobOutcome({ fun: 'state.apply', retcode: 0, return: state(null, { diff: 'x' }) }), 'changes');
    assert.equal(jobOutcome({ fun: 'state.apply', return: state(false, {}) }), 'failed');
    assert.equal(jobOutcome({ fun: 'state.apply', return: ["No matching sls found for 'x' in env 'base'"] }), 'failed');
  });
  test('drops the master’s own find_job polling and unknown tags', () => {
    assert.equal(normalizeEvent({ tag: 'salt/job/20261124153102569287/new', data: { fun: 'saltutil.find_job' } }), null);
    assert.equal(normalizeEvent({ tag: 'salt/presence/present', data: { present: [] } }), null);
    assert.equal(normalizeEvent({ tag: 'salt/netapi/hook/x', data: {} }), null);
  });
  test('stampOf reads Salt’s zone-less microsecond stamp as UTC', () => {
    assert.equal(stampOf({ _stamp: '2026-11-24T15:31:00.609152' })?.toISOString(), '2026-11-24T15:31:00.609Z');
    assert.equal(stampOf({ _stamp: 'garbage' }), null);
    assert.equal(stampOf({}), null);
  });
});
