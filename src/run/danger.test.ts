import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dangerReason, isDryRun } from './danger.ts';
import { confirmationFor, confirmationProblem } from './service.ts';
import type { RunPreview } from './schemas.ts';

describe('dangerous functions', () => {
  test('cmd.*, saltutil.*, system.reboot and friends are dangerous; test.* and grains.items are not', () => {
    for (const f of ['cmd.run', 'cmd.script', 'saltutil.sync_all', 'system.reboot', 'pkg.install', 'service.restart']) {
      assert.ok(dangerReason(f, [], {}), f);
    }
    for (const f of ['test.ping', 'grains.items', 'pkg.list_pkgs', 'cmdx.run', 'state.show_sls']) assert.equal(dangerReason(f, [], {}), null, f);
  });

  test('state functions are dangerous unless they run with test=True', () => {
    assert.match(dangerReason('state.apply', ['demo'], {})!, /unless run with test=True/);
    assert.equal(dangerReason('state.apply', ['demo'], { test: true }), null);
    assert.equal(dangerReason('state.highstate', [], { test: 'True' }), null);
    assert.equal(dangerReason('state.sls', ['demo', 'test=True'], {}), null);
    assert.ok(dangerReason('state.apply', [], { test: false }));
    assert.ok(!isDryRun(['test=False'], {}));
    // test=True does not make cmd.run safe.
    assert.ok(dangerReason('cmd.run', ['ls'], { test: true }));
  });

  test('an extra list replaces the default one', () => {
    assert.ok(dangerReason('test.sleep', [], {}, ['test.sleep']));
    assert.equal(dangerReason('cmd.run', [], {}, ['test.sleep']), null);
  });
});

describe('confirmations', () => {
  const preview = (count: number, threshold: number, danger: string | null): RunPreview => ({
    target: '*', target_type: 'glob', fun: 'x.y', count, minions: [], truncated: false, source: 'snapshot',
    dangerous: danger !== null, danger_reason: danger, threshold, confirmation: confirmationFor(count, threshold, danger),
  });

  test('above the threshold the count must be typed; a dangerous function needs confirm; 0 turns the size check off', () => {
    assert.equal(confirmationFor(11, 10, null), 'type_count');
    assert.equal(confirmationFor(10, 10, null), 'none');
    assert.equal(confirmationFor(10, 10, 'x'), 'confirm');
    assert.equal(confirmationFor(5000, 0, null), 'none');
    assert.equal(confirmationFor(11, 10, 'x'), 'type_count');
  });

  test('what satisfies each', () => {
    assert.equal(confirmationProblem(preview(3, 10, null), {}), null);
    assert.equal(confirmationProblem(preview(3, 10, 'danger'), {})?.field, 'confirm');
    assert.equal(confirmationProblem(preview(3, 10, 'danger'), { confirm: false })?.field, 'confirm');
    assert.equal(confirmationProblem(preview(3, 10, 'danger'), { confirm: true }), null);
    assert.equal(confirmationProblem(preview(3, 10, 'danger'), { confirm_count: 3 }), null);
    assert.match(confirmationProblem(preview(30, 10, null), { confirm: true })!.message, /type 30 to confirm/);
    assert.match(confirmationProblem(preview(30, 10, null), { confirm_count: 29 })!.message, /29 does not match/);
    assert.equal(confirmationProblem(preview(30, 10, 'danger'), { confirm_count: 30 }), null);
  });
});
