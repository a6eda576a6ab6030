import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fnmatchRegExp, resolvesFromSnapshot, subdictMatch } from './targets.ts';
import { PreviewBody, toCommand } from './schemas.ts';

describe('target matching (Salt rules)', () => {
  test('fnmatch globs: *, ?, [seq], [!seq], anchored', () => {
    const m = (g: string, s: string) => fnmatchRegExp(g).test(s);
    assert.ok(m('web*', 'web01'));
    assert.ok(!m('web*', 'db-web01'));
    assert.ok(m('web0?', 'web01'));
    assert.ok(m('web0[12]', 'web02'));
    assert.ok(!m('web0[!12]', 'web02'));
    assert.ok(m('a.b', 'a.b'));
    assert.ok(!m('a.b', 'axb'), 'a dot is literal');
    assert.ok(m('web[', 'web['), 'an unclosed bracket is literal');
  });

  test('subdict_match: nested keys, lists match any element, values as Python prints them', () => {
    const g = { roles: ['web', 'db'], os: 'Debian', saltlab: true, ip4_interfaces: { eth0: ['10.0.0.5'] }, num_cpus: 4 };
    assert.ok(subdictMatch(g, 'roles:web', false));
    assert.ok(subdictMatch(g, 'os:Deb*', false));
    assert.ok(!subdictMatch(g, 'os:deb*', false));
    assert.ok(subdictMatch(g, 'saltlab:True', false));
    assert.ok(subdictMatch(g, 'num_cpus:4', false));
    assert.ok(subdictMatch(g, 'ip4_interfaces:eth0:10.0.*', false));
    assert.ok(subdictMatch(g, 'os:^Deb', true));
    assert.ok(!subdictMatch(g, 'os:(', true), 'a bad regex matches nothing');
    assert.ok(!subdictMatch(g, 'nosuch:x', false));
  });

  test('which target types the snapshot resolves', () => {
    for (const t of ['glob', 'list', 'pcre', 'grain', 'grain_pcre'] as const) assert.ok(resolvesFromSnapshot(t));
    for (const t of ['pillar', 'nodegroup', 'ipcidr', 'compound'] as const) assert.ok(!resolvesFromSnapshot(t));
  });
});

describe('reading a command', () => {
  test('JSON args and kwargs are taken as they are', () => {
    const b = PreviewBody.parse({ target: ' web* ', fun: 'test.arg', args: [1, 'a'], kwargs: { k: [1] }, batch: 10, timeout: '5' });
    assert.deepEqual(toCommand(b), { target: 'web*', targetType: 'glob', fun: 'test.arg', args: [1, 'a'], kwargs: { k: [1] }, batch: '10', timeout: 5 });
  });

  test('form text: one argument per line, key=value per line, YAML scalars', () => {
    const b = PreviewBody.parse({ target: 'web*', target_type: 'list', fun: 'state.apply', args_text: 'demo\n\n42\n', kwargs_text: 'test=True\npillar={"a": 1}', batch: '', timeout: '' });
    assert.deepEqual(toCommand(b), { target: 'web*', targetType: 'list', fun: 'state.apply', args: ['demo', 42], kwargs: { test: true, pillar: { a: 1 } }, batch: null, timeout: null });
    assert.deepEqual(toCommand(PreviewBody.parse({ target: 'x', fun: 'a.b', kwargs_text: 'oops' })), { field: 'kwargs_text', message: '"oops" is not key=value' });
  });

  test('batch: a count or a percentage', () => {
    for (const ok of ['1', '10', '25%', '100%', 3]) assert.ok(PreviewBody.safeParse({ target: 'x', fun: 'a.b', batch: ok }).success, String(ok));
    for (const bad of ['0', '0%', '101%', 'half', '-1', '1.5']) assert.ok(!PreviewBody.safeParse({ target: 'x', fun: 'a.b', batch: bad }).success, bad);
  });
});
