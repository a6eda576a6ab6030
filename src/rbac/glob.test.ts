import { test } from 'node:test';
import assert from 'node:assert/strict';
import { globMatch, permits } from './glob.ts';

test('* stays inside one namespace segment', () => {
  assert.equal(globMatch('job:*', 'job:20261124152907155273'), true);
  assert.equal(globMatch('*', 'job:1'), false);
  assert.equal(globMatch('job:*', 'job:a:b'), false);
});

test('** crosses namespaces and grants everything alone', () => {
  assert.equal(globMatch('**', 'job:a:b'), true);
  assert.equal(globMatch('salt:**', 'salt:state.apply'), true);
});

test('globs are anchored at both ends', () => {
  assert.equal(globMatch('salt:test.*', 'salt:test.ping'), true);
  assert.equal(globMatch('salt:test.*', 'salt:cmd.run'), false);
  assert.equal(globMatch('salt:test.*', 'xsalt:test.ping'), false);
  assert.equal(globMatch('key:web*', 'key:web01'), true);
  assert.equal(globMatch('key:web*', 'key:db01'), false);
});

test('regex metacharacters in a glob are literal', () => {
  assert.equal(globMatch('salt:test.ping', 'salt:testXping'), false);
  assert.equal(globMatch('key:a+b', 'key:a+b'), true);
  assert.equal(globMatch('key:(x)', 'key:(x)'), true);
});

test('? matches one character but not a colon', () => {
  assert.equal(globMatch('key:web0?', 'key:web01'), true);
  assert.equal(globMatch('a?b', 'a:b'), false);
});

test('permits needs both the verb and the resource to match', () => {
  const granted = [{ verb: 'run', resource: 'salt:test.*' }, { verb: 'view', resource: '**' }];
  assert.equal(permits(granted, 'run', 'salt:test.ping'), true);
  assert.equal(permits(granted, 'run', 'salt:cmd.run'), false);
  assert.equal(permits(granted, 'view', 'job:123'), true);
  assert.equal(permits(granted, 'kill', 'job:123'), false);
  assert.equal(permits([], 'view', 'job:1'), false);
});
