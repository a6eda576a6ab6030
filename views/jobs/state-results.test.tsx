import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseStateReturn } from '../../src/jobs/state-results.ts';
import { StateResultsView } from './state-results.tsx';

const ret = {
  'file_|-ok_|-/etc/motd_|-managed': { result: true, changes: {}, comment: 'fine', __run_num__: 0, duration: 1.5, __id__: 'ok', __sls__: 'base' },
  'cmd_|-bad_|-<b>x</b>_|-run': { result: false, changes: { stderr: '<script>alert(1)</script>' }, comment: 'It <i>failed</i>', __run_num__: 1, duration: 1500, __id__: 'bad' },
  'pkg_|-maybe_|-vim_|-installed': { result: null, changes: { vim: { new: '9' } }, comment: 'would install', __run_num__: 2, __id__: 'maybe' },
};

test('the view puts failing states first and open, the rest folded, and escapes every leaf', () => {
  const html = StateResultsView({ parsed: parseStateReturn(ret), minion: 'web<01>' });
  const order = [...html.matchAll(/data-state-id="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(order, ['bad', 'ok', 'maybe']);
  assert.match(html, /<details[^>]*class="state state-fail"[^>]*open[^>]*data-state-id="bad"/);
  assert.doesNotMatch(html, /<details[^>]*open[^>]*data-state-id="ok"/);
  assert.match(html, /would change/);
  assert.match(html, /1\.50 s/);
  assert.ok(!html.includes('<script>') && !html.includes('<i>failed</i>') && !html.includes('<b>x</b>'), html);
  assert.match(html, /1 pass<\/span> <span class="badge badge-err">1 fail/);
  assert.match(html, /id="state-web_01_-1"/);
});

test('a render error is an alert with each message; a raw return renders nothing', () => {
  const html = StateResultsView({ parsed: parseStateReturn(["No matching sls found for '<x>' in env 'base'"]), minion: 'web01' });
  assert.match(html, /role="alert"/);
  assert.ok(html.includes('&lt;x>'));
  assert.equal(StateResultsView({ parsed: parseStateReturn(true), minion: 'web01' }), '');
});
