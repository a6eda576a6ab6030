import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { RECORDINGS_DIR } from '../../test/support/recordings.ts';
import {
  failingFirst, hasFailure, isStateFunction, minionReturns, parseStateReturn, sumCounts, unwrapMinionReturn, type ParsedReturn,
} from './state-results.ts';

const DIR = RECORDINGS_DIR;

function body(file: string): any {
  const p = path.join(DIR, file);
  assert.ok(existsSync(p), `recording ${p} is missing (set HALITE_RECORDINGS_DIR)`);
  return JSON.parse(readFileSync(p, 'utf8')).response.body;
}

function states(p: ParsedReturn) {
  assert.equal(p.kind, 'states');
  return p as Extract<ParsedReturn, { kind: 'states' }>;
}

/** The demo run: demo_file passes, demo_fail (cmd.run false) fails, in that run order. */
function assertDemo(p: ParsedReturn, mid: string, fileOutcome: 'pass' | 'changed' = 'pass') {
  const s = states(p);
  const counts = { total: 2, pass: 0, fail: 1, changed: 0, would_change: 0 };
  counts[fileOutcome]++;
  assert.deepEqual(s.counts, counts);
  const [file, fail] = s.states;
  assert.equal(file.id, 'demo_file');
  assert.equal(file.function, 'file.managed');
  assert.equal(file.name, `/srv/saltlab/run/tmp/demo-${mid}.txt`);
  assert.equal(file.result, fileOutcome);
  assert.equal(file.sls, 'demo');
  assert.equal(file.run_num, 0);
  assert.equal(typeof file.duration_ms, 'number');
  assert.equal(fail.id, 'demo_fail');
  assert.equal(fail.function, 'cmd.run');
  assert.equal(fail.result, 'fail');
  assert.equal(fail.comment, 'Command "false" run');
  assert.equal((fail.changes as { retcode: number }).retcode, 1);
  assert.ok(hasFailure(p));
  assert.deepEqual(failingFirst(s.states).map((x) => x.id), ['demo_fail', 'demo_file']);
}

test('local state.apply and the events trigger: a plain state dict per minion', () => {
  // The first run created the file (changes: {diff: 'New file'}), so it counts as changed.
  for (const [mid, ret] of Object.entries(body('local-state.apply-demo.json').return[0])) {
    assertDemo(parseStateReturn(ret), mid, 'changed');
    assert.deepEqual(states(parseStateReturn(ret)).states[0].changes, { diff: 'New file' });
  }
  for (const [mid, ret] of Object.entries(body('events-trigger-02-state.apply.json').return[0])) assertDemo(parseStateReturn(ret), mid);
});

test('state.highstate: the same state dict', () => {
  assertDemo(parseStateReturn(body('local-state.highstate.json').return[0].web02), 'web02');
});

test('full_return: the dict inside {ret, retcode, jid, out}', () => {
  const ret = body('local-state.apply-demo-full_return.json').return[0].web01;
  assert.equal(unwrapMinionReturn(ret), ret.ret);
  assertDemo(parseStateReturn(ret), 'web01');
});

test('jobs.lookup_jid: the highstate outputter wrapper, with and without kwargs', () => {
  for (const file of ['runner-jobs.lookup_jid-state.apply.json', 'runner-jobs.lookup_jid-state.apply-kwarg.json']) {
    const per = minionReturns(body(file).return[0]);
    assert.deepEqual(Object.keys(per).sort(), ['web01', 'web02']);
    for (const [mid, ret] of Object.entries(per)) assertDemo(parseStateReturn(ret), mid);
  }
  // A plain {mid: ret} (test.ping) is left as it is, and an unknown jid gives nothing.
  assert.deepEqual(minionReturns(body('runner-jobs.lookup_jid-test.ping.json').return[0]), body('runner-jobs.lookup_jid-test.ping.json').return[0]);
  assert.deepEqual(minionReturns(body('runner-jobs.lookup_jid-unknown.json').return[0]), {});
});

test('the job cache: {return, retcode, success, out} from jobs.list_job and GET /jobs/<jid>', () => {
  const results = [body('runner-jobs.list_job-state.apply.json').return[0].Result, body('jobs-GET-state.apply.json').info[0].Result];
  for (const result of results) {
    for (const [mid, r] of Object.entries(result)) assertDemo(parseStateReturn(r), mid);
  }
  // GET /jobs/<jid>'s `return` list holds the bare dicts.
  for (const [mid, r] of Object.entries(body('jobs-GET-state.apply.json').return[0])) assertDemo(parseStateReturn(r), mid);
});

test('test=True: result null is would_change, with the would-be changes', () => {
  const s = states(parseStateReturn(body('local-state.apply-demo-test.json').return[0].web01));
  assert.deepEqual(s.counts, { total: 2, pass: 1, fail: 0, changed: 0, would_change: 1 });
  assert.equal(s.states[1].result, 'would_change');
  assert.deepEqual(s.states[1].changes, { cmd: 'false' });
  assert.equal(s.states[1].comment, 'Command "false" would have been executed');
});

test('a missing sls: a list of strings is a render error', () => {
  const p = parseStateReturn(body('local-state.apply-missing-sls.json').return[0].web01);
  assert.deepEqual(p, { kind: 'render_error', errors: ["No matching sls found for 'nosuchsls' in env 'base'"] });
  assert.ok(hasFailure(p));
});

test('every recorded state.* response parses to states or a render error, never raw', () => {
  let seen = 0;
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.json'))) {
    const rec = JSON.parse(readFileSync(path.join(DIR, file), 'utf8'));
    const low = Array.isArray(rec.request.body) ? rec.request.body[0] : null;
    if (!low || low.client !== 'local' || !isStateFunction(String(low.fun)) || rec.response.status !== 200) continue;
    for (const ret of Object.values(rec.response.body.return[0] ?? {})) {
      assert.notEqual(parseStateReturn(ret).kind, 'raw', file);
      seen++;
    }
  }
  assert.ok(seen >= 6, `only ${seen} recorded state returns found`);
});

test('non-state returns are raw; odd state entries are tolerated', () => {
  for (const v of [true, 'oops', 3, null, {}, [], [1, 2], { web01: true }, { 'a_|-b_|-c_|-d': 'not a dict' }]) {
    assert.deepEqual(parseStateReturn(v), { kind: 'raw' }, JSON.stringify(v));
  }
  const s = states(
    parseStateReturn({
      'cmd_|-x_|-echo a_|-b_|-run': { result: true, changes: { stdout: 'a' }, duration: '12.5 ms', comment: ['one', 'two'] },
      'pkg_|-y_|-vim_|-installed': { result: true, changes: {}, __run_num__: 0 },
    }),
  );
  assert.deepEqual(s.states.map((x) => [x.id, x.function, x.name, x.result]), [
    ['y', 'pkg.installed', 'vim', 'pass'],
    ['x', 'cmd.run', 'echo a_|-b', 'changed'],
  ]);
  assert.equal(s.states[1].duration_ms, 12.5);
  assert.equal(s.states[1].comment, 'one\ntwo');
  assert.deepEqual(sumCounts([s.counts, s.counts]), { total: 4, pass: 2, fail: 0, changed: 2, would_change: 0 });
});
