/**
 * @module sim/targeting.test
 * Salt targeting over the lab and a generated fleet: every tgt_type, compound expressions, and
 * "only accepted keys are targeted".
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SimFleet } from './fleet.ts';
import { globToRegExp, matchTarget } from './targeting.ts';

const lab = SimFleet.create({ preset: 'lab' });
const fleet = SimFleet.create({ minions: 60, seed: 3 });

describe('matchTarget', () => {
  test('glob, with only accepted keys', () => {
    assert.deepEqual(matchTarget(lab, '*'), ['web01', 'web02']);
    assert.deepEqual(matchTarget(lab, 'db01'), [], 'pending keys are never targeted');
    assert.deepEqual(matchTarget(lab, 'web0[2-9]'), ['web02']);
    assert.deepEqual(matchTarget(lab, 'nomatch*'), []);
    assert.equal(globToRegExp('web?1').test('web01'), true);
    assert.equal(globToRegExp('web[!0]1').test('web01'), false);
  });

  test('list, pcre, grain, grain_pcre, pillar, ipcidr', () => {
    assert.deepEqual(matchTarget(lab, ['web01', 'db01'], 'list'), ['web01']);
    assert.deepEqual(matchTarget(lab, 'web01,web02', 'list'), ['web01', 'web02']);
    assert.deepEqual(matchTarget(lab, 'web0[12]', 'pcre'), ['web01', 'web02']);
    assert.deepEqual(matchTarget(lab, 'roles:web', 'grain'), ['web01', 'web02']);
    assert.deepEqual(matchTarget(lab, 'saltlab:True', 'grain'), ['web01', 'web02'], 'booleans match as Python prints them');
    assert.deepEqual(matchTarget(lab, 'locale_info:timezone:UTC', 'grain'), ['web01', 'web02'], 'nested keys');
    assert.deepEqual(matchTarget(lab, 'os:Deb.*', 'grain_pcre'), ['web01', 'web02']);
    assert.deepEqual(matchTarget(lab, 'saltlab:env:lab', 'pillar'), ['web01', 'web02']);
    assert.deepEqual(matchTarget(lab, '192.0.2.0/24', 'ipcidr'), ['web01', 'web02']);
    assert.deepEqual(matchTarget(lab, '10.0.0.0/8', 'ipcidr'), []);
  });

  test('grain targeting agrees with the grains', () => {
    const redhat = matchTarget(fleet, 'os_family:RedHat', 'grain');
    const expected = fleet.accepted().filter((id) => fleet.grains(id).os_family === 'RedHat');
    assert.deepEqual(redhat, expected);
    assert.ok(redhat.length > 0);
  });

  test('compound: and, or, not, parentheses and prefixes', () => {
    const webs = fleet.accepted().filter((id) => id.startsWith('web'));
    assert.deepEqual(matchTarget(fleet, 'G@roles:web', 'compound'), webs);
    const notWeb = fleet.accepted().filter((id) => !id.startsWith('web'));
    assert.deepEqual(matchTarget(fleet, 'not G@roles:web', 'compound'), notWeb);
    const [first, second] = webs;
    assert.deepEqual(matchTarget(fleet, `G@roles:web and not L@${first}`, 'compound'), webs.filter((id) => id !== first));
    assert.deepEqual(matchTarget(fleet, `L@${first} or E@^${second}$`, 'compound'), [first, second].sort());
    const dbOrCache = fleet.accepted().filter((id) => /^(db|cache)/.test(id));
    assert.deepEqual(matchTarget(fleet, '( G@roles:db or G@roles:cache ) and *', 'compound'), dbOrCache);
    assert.deepEqual(matchTarget(lab, 'I@saltlab:env:lab and S@192.0.2.0/24 and web01', 'compound'), ['web01']);
    assert.deepEqual(matchTarget(fleet, '( G@roles:web', 'compound'), [], 'malformed matches nothing');
  });

  test('nodegroups', () => {
    assert.deepEqual(matchTarget(lab, 'webs', 'nodegroup'), ['web01', 'web02']);
    assert.deepEqual(matchTarget(fleet, 'webservers', 'nodegroup'), matchTarget(fleet, 'roles:web', 'grain'));
    assert.deepEqual(matchTarget(fleet, 'N@datastores and not G@roles:cache', 'compound'), matchTarget(fleet, 'roles:db', 'grain'));
    assert.deepEqual(matchTarget(lab, 'nosuchgroup', 'nodegroup'), []);
  });
});
