/** @module The Salt answers a tick reads, parsed as recorded from Salt 3007.14; the hashes and the CSV export. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { grainColumns, ipFromGrains, parseGrainsMap, parseKeyLists, searchTextOf } from './parse.ts';
import { grainsHashOf } from './hash.ts';
import { contentHashOf } from './row-hash.ts';
import { minionsCsv } from './service.ts';
import type { Minion } from './schemas.ts';
import { RECORDINGS_DIR } from '../../test/support/recordings.ts';

const RECORDINGS = RECORDINGS_DIR;

/** The value inside a recorded answer: `return[0]`, unwrapped from the wheel's `data.return`. */
function recorded(file: string): unknown {
  const body = JSON.parse(readFileSync(path.join(RECORDINGS, file), 'utf8')).response.body as { return: unknown[] };
  const first = body.return[0] as { data?: { return: unknown } };
  return first && typeof first === 'object' && 'data' in first && first.data ? first.data.return : first;
}

describe('parsing the recorded answers', () => {
  test('key.list_all: each list to its status; the master keys in `local` are ignored', () => {
    const keys = parseKeyLists(recorded('wheel-key.list_all-1-initial.json'));
    assert.deepEqual([...keys], [['web01', 'accepted'], ['web02', 'accepted'], ['db01', 'pending']]);
    assert.deepEqual([...parseKeyLists(recorded('wheel-key.list_all-3-after-reject.json'))].find(([id]) => id === 'db01'), ['db01', 'rejected']);
    assert.throws(() => parseKeyLists(['web01']), /dict of key lists/);
    assert.throws(() => parseKeyLists({ minions: 'web01' }), /not a list/);
  });

  test('cache.grains: a dict per minion, and the list columns from the usual grains', () => {
    const grains = parseGrainsMap(recorded('runner-cache.grains.json'));
    assert.deepEqual([...grains.keys()].sort(), ['web01', 'web02']);
    const web01 = grains.get('web01')!;
    assert.deepEqual(grainColumns(web01), { os: 'Debian', osrelease: '12', kernel: 'Linux', saltversion: '3007.14', roles: ['web'] });
    assert.equal(ipFromGrains(web01), '192.0.2.2', 'the first non-loopback IPv4');
    assert.throws(() => parseGrainsMap([]), /dict of minions/);
    assert.deepEqual([...parseGrainsMap({ a: { os: 'x' }, b: 'not grains' }).keys()], ['a']);
  });

  test('grain columns tolerate a missing or odd grain', () => {
    assert.deepEqual(grainColumns({ roles: 'web', os: '', saltversion: 3007 }), { os: null, osrelease: null, kernel: null, saltversion: '3007', roles: ['web'] });
    assert.equal(ipFromGrains({ ipv4: ['127.0.0.1', '169.254.1.1'] }), null);
  });

  test('search text: id, ip and every scalar grain value, lowercased', () => {
    const text = searchTextOf('Web01', '10.0.0.1', { os: 'Debian', dns: { nameservers: ['10.255.255.53'] }, n: 7, none: null });
    for (const part of ['web01', '10.0.0.1', 'debian', '10.255.255.53', '7']) assert.ok(text.includes(part), part);
    assert.ok(!text.includes('null') && !text.includes('nameservers'), 'values only, not keys');
    const repeated = searchTextOf('m1', '10.0.0.1', { ipv4: ['10.0.0.1'], ip_interfaces: { eth0: ['10.0.0.1'] }, os: 'Debian GNU/Linux' });
    assert.equal(repeated.split('10.0.0.1').length - 1, 1, 'a repeated value is kept once');
    assert.ok(repeated.includes('debian gnu/linux'), 'a value keeps its words together');
  });

  test('hashes: equal content, equal hash; any change of a stored field changes the row hash', () => {
    const g = { os: 'Debian', roles: ['web'] };
    assert.equal(grainsHashOf(g), grainsHashOf({ os: 'Debian', roles: ['web'] }));
    assert.notEqual(grainsHashOf(g), grainsHashOf({ os: 'Debian', roles: ['db'] }));
    const row = { keyStatus: 'accepted' as const, present: true, ip: '10.0.0.1', grainsHash: grainsHashOf(g) };
    const base = contentHashOf(row);
    for (const change of [{ keyStatus: 'rejected' as const }, { present: false }, { ip: null }, { grainsHash: '' }]) {
      assert.notEqual(contentHashOf({ ...row, ...change }), base, JSON.stringify(change));
    }
  });
});

describe('the CSV export', () => {
  const minion = (over: Partial<Minion>): Minion => ({
    id: 'web01', key_status: 'accepted', present: true, ip: '10.0.0.1', os: 'Debian', osrelease: '12', kernel: 'Linux',
    saltversion: '3007.14', roles: ['web', 'edge'], first_seen: '2026-11-25T10:00:00.000Z', last_seen: null, updated_at: '2026-11-25T10:00:00.000Z', ...over,
  });

  test('a header row, CRLF line ends, lists joined with ;', () => {
    const csv = minionsCsv([minion({})]);
    assert.equal(csv, 'id,key_status,present,ip,os,osrelease,kernel,saltversion,roles,first_seen,last_seen,updated_at\r\n' +
      'web01,accepted,true,10.0.0.1,Debian,12,Linux,3007.14,web;edge,2026-11-25T10:00:00.000Z,,2026-11-25T10:00:00.000Z\r\n');
  });

  test('quotes, commas and newlines are quoted; formulas are defused', () => {
    const [, line] = minionsCsv([minion({ id: 'a,"b"\nc', os: '=HYPERLINK("http://x")', kernel: '+1', roles: ['@evil'] })]).split('\r\n');
    assert.ok(line!.startsWith('"a,""b""\nc",'));
    assert.ok(line!.includes(`"'=HYPERLINK(""http://x"")"`));
    assert.ok(line!.includes(",'+1,") && line!.includes(",'@evil,"));
  });
});

test('the portable row hash equals node:crypto SHA-1 in base64 (stored hashes stay valid)', async () => {
  const { createHash } = await import('node:crypto');
  const r = { keyStatus: 'accepted' as const, present: true, ip: '10.0.0.1', grainsHash: grainsHashOf({ os: 'Debian' }) };
  const expected = createHash('sha1').update(`accepted\u00001\u000010.0.0.1\u0000${r.grainsHash}`).digest('base64');
  assert.equal(contentHashOf(r), expected);
});
