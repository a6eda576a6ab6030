/**
 * The version orderings against the package managers' own test tables:
 * - Debian: the `__DATA__` table of dpkg's scripts/t/100_Dpkg_Version.t (guillemj/dpkg, the
 *   cases `dpkg --compare-versions` is checked against);
 * - RPM: the RPMVERCMP cases of rpm's tests/rpmvercmp.at (rpm-software-management/rpm),
 *   including the tilde and caret sections.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compareDebian, compareRpm, parseEvr, rpmvercmp, satisfies, schemeForOsFamily } from './version.ts';

// dpkg scripts/t/100_Dpkg_Version.t, __DATA__: "a b expected".
const DPKG_CASES = `
1.0-1 2.0-2 -1
2.2~rc-4 2.2-1 -1
2.2-1 2.2~rc-4 1
1.0000-1 1.0-1 0
1 0:1 0
0 0:0-0 0
2:2.5 1:7.5 1
1:0foo 0foo 1
0:0foo 0foo 0
0foo 0foo 0
0foo- 0foo 0
0foo- 0foo-0 0
0foo 0fo 1
0foo- 0foo+ -1
0foo~1 0foo -1
0foo~foo+Bar 0foo~foo+bar -1
0foo~~ 0foo~ -1
1~ 1 -1
12345+that-really-is-some-ver-0 12345+that-really-is-some-ver-10 -1
0foo-0 0foo-01 -1
0foo.bar 0foobar 1
0foo.bar 0foo1bar 1
0foo.bar 0foo0bar 1
0foo1bar-1 0foobar-1 -1
0foo2.0 0foo2 1
0foo2.0.0 0foo2.10.0 -1
0foo2.0 0foo2.0.0 -1
0foo2.0 0foo2.10 -1
0foo2.1 0foo2.10 -1
1.09 1.9 0
1.0.8+nmu1 1.0.8 1
3.11 3.10+nmu1 1
0.9j-20080306-4 0.9i-20070324-2 1
1.2.0~b7-1 1.2.0~b6-1 1
1.011-1 1.06-2 1
0.0.9+dfsg1-1 0.0.8+dfsg1-3 1
4.6.99+svn6582-1 4.6.99+svn6496-1 1
53 52 1
0.9.9~pre122-1 0.9.9~pre111-1 1
2:2.3.2-2+lenny2 2:2.3.2-2 1
1:3.8.1-1 3.8.GA-1 1
1.0.1+gpl-1 1.0.1-2 1
1a 1000a -1
-0.6.5 0.9.1 -1`;

// rpm tests/rpmvercmp.at: RPMVERCMP(a, b, expected).
const RPM_CASES = `
1.0 1.0 0|1.0 2.0 -1|2.0 1.0 1|2.0.1 2.0.1 0|2.0 2.0.1 -1|2.0.1 2.0 1|2.0.1a 2.0.1a 0|2.0.1a 2.0.1 1|2.0.1 2.0.1a -1
5.5p1 5.5p1 0|5.5p1 5.5p2 -1|5.5p2 5.5p1 1|5.5p10 5.5p10 0|5.5p1 5.5p10 -1|5.5p10 5.5p1 1|10xyz 10.1xyz -1|10.1xyz 10xyz 1
xyz10 xyz10 0|xyz10 xyz10.1 -1|xyz10.1 xyz10 1|xyz.4 xyz.4 0|xyz.4 8 -1|8 xyz.4 1|xyz.4 2 -1|2 xyz.4 1
5.5p2 5.6p1 -1|5.6p1 5.5p2 1|5.6p1 6.5p1 -1|6.5p1 5.6p1 1|6.0.rc1 6.0 1|6.0 6.0.rc1 -1|10b2 10a1 1|10a2 10b2 -1
1.0aa 1.0aa 0|1.0a 1.0aa -1|1.0aa 1.0a 1|10.0001 10.0001 0|10.0001 10.1 0|10.1 10.0001 0|10.0001 10.0039 -1|10.0039 10.0001 1
4.999.9 5.0 -1|5.0 4.999.9 1|20101121 20101121 0|20101121 20101122 -1|20101122 20101121 1|2_0 2_0 0|2.0 2_0 0|2_0 2.0 0
a a 0|a+ a+ 0|a+ a_ 0|a_ a+ 0|+a +a 0|+a _a 0|_a +a 0|+_ +_ 0|_+ +_ 0|_+ _+ 0|+ _ 0|_ + 0
1.0~rc1 1.0~rc1 0|1.0~rc1 1.0 -1|1.0 1.0~rc1 1|1.0~rc1 1.0~rc2 -1|1.0~rc2 1.0~rc1 1|1.0~rc1~git123 1.0~rc1~git123 0
1.0~rc1~git123 1.0~rc1 -1|1.0~rc1 1.0~rc1~git123 1
1.0^ 1.0^ 0|1.0^ 1.0 1|1.0 1.0^ -1|1.0^git1 1.0^git1 0|1.0^git1 1.0 1|1.0 1.0^git1 -1|1.0^git1 1.0^git2 -1|1.0^git2 1.0^git1 1
1.0^git1 1.01 -1|1.01 1.0^git1 1|1.0^20160101 1.0^20160101 0|1.0^20160101 1.0.1 -1|1.0.1 1.0^20160101 1
1.0^20160101^git1 1.0^20160101^git1 0|1.0^20160102 1.0^20160101^git1 1|1.0^20160101^git1 1.0^20160102 -1
1.0~rc1^git1 1.0~rc1^git1 0|1.0~rc1^git1 1.0~rc1 1|1.0~rc1 1.0~rc1^git1 -1|1.0^git1~pre 1.0^git1~pre 0
1.0^git1 1.0^git1~pre 1|1.0^git1~pre 1.0^git1 -1`;

const rows = (text: string, sep: RegExp) =>
  text.split(sep).map((l) => l.trim()).filter(Boolean).map((l) => {
    const [a, b, r] = l.split(/\s+/);
    return { a, b, expected: Number(r) };
  });

describe('Debian ordering (dpkg --compare-versions)', () => {
  for (const { a, b, expected } of rows(DPKG_CASES, /\n/)) {
    test(`${a} vs ${b} → ${expected}`, () => {
      assert.equal(compareDebian(a, b), expected);
      assert.equal(compareDebian(b, a), -expected || 0);
    });
  }

  test('epochs, tildes and revisions decide in that order', () => {
    assert.equal(compareDebian('1:1.0-1', '9.9-9'), 1);
    assert.equal(compareDebian('2.36-9+deb12u4', '2.36-9+deb12u10'), -1);
    assert.equal(compareDebian('1.2~rc1-3', '1.2-1'), -1);
    assert.equal(compareDebian('1.2~bpo12+1-1', '1.2~rc1-1'), -1);
  });

  test('operators', () => {
    assert.equal(satisfies('deb', '2.36-9+deb12u4', '<', '2.36-9+deb12u5'), true);
    assert.equal(satisfies('deb', '2.36-9+deb12u4', '>=', '2.36-9+deb12u5'), false);
    assert.equal(satisfies('deb', '1.09', '=', '1.9'), true);
    assert.equal(satisfies('deb', '1.0', '<=', '1.0'), true);
    assert.equal(satisfies('deb', '1.0~rc1', '>', '1.0'), false);
  });
});

describe('RPM ordering (rpmvercmp)', () => {
  for (const { a, b, expected } of rows(RPM_CASES, /[|\n]/)) {
    test(`${a} vs ${b} → ${expected}`, () => {
      assert.equal(rpmvercmp(a, b), expected);
    });
  }

  test('EVR: epoch first, then version, then release; a missing release matches any', () => {
    assert.equal(compareRpm('1:1.0-1.el9', '2.0-1.el9'), 1);
    assert.equal(compareRpm('8.2.2637-20.el9_1', '8.2.2637-20.el9'), 1);
    assert.equal(compareRpm('8.2.2637-9.el9', '8.2.2637-20.el9'), -1);
    assert.equal(compareRpm('2.36-9.el9', '2.36'), 0);
    assert.equal(compareRpm('0:2.36-9.el9', '2.36-9.el9'), 0);
    assert.equal(compareRpm('1.0~beta1-1.el9', '1.0-1.el9'), -1);
    assert.equal(satisfies('rpm', '2:8.2.2637-20.el9_1', '>', '1:9.0-1'), true);
  });

  test('text order would be wrong: 1.10 is newer than 1.9 in both schemes', () => {
    assert.ok('1.10' < '1.9');
    assert.equal(compareRpm('1.10-1', '1.9-1'), 1);
    assert.equal(compareDebian('1.10-1', '1.9-1'), 1);
  });
});

test('parseEvr splits epoch, version and the last hyphen', () => {
  assert.deepEqual(parseEvr('1:2.36-9+deb12u4'), { epoch: 1, version: '2.36', release: '9+deb12u4' });
  assert.deepEqual(parseEvr('0:0-0-0'), { epoch: 0, version: '0-0', release: '0' });
  assert.deepEqual(parseEvr('1.2'), { epoch: 0, version: '1.2', release: null });
});

test('os_family picks the scheme', () => {
  assert.equal(schemeForOsFamily('Debian'), 'deb');
  assert.equal(schemeForOsFamily('RedHat'), 'rpm');
  assert.equal(schemeForOsFamily('Suse'), 'rpm');
  assert.equal(schemeForOsFamily('Windows'), null);
  assert.equal(schemeForOsFamily(undefined), null);
});
