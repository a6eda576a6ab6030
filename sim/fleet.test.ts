/**
 * @module sim/fleet.test
 * The generated fleet is deterministic (same seed → same ids, grains, keys, packages), covers every
 * key state, has realistic grains and package versions, changes presence over time, and stays
 * cheap at 100,000 minions.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SimFleet } from './fleet.ts';

describe('SimFleet', () => {
  test('the same seed gives the same fleet; another seed another one', () => {
    const a = SimFleet.create({ minions: 50, seed: 7 });
    const b = SimFleet.create({ minions: 50, seed: 7 });
    const c = SimFleet.create({ minions: 50, seed: 8 });
    assert.deepEqual(a.allIds(), b.allIds());
    assert.deepEqual(a.keyLists(), b.keyLists());
    const id = a.accepted()[0];
    assert.deepEqual(a.grains(id), b.grains(id));
    assert.deepEqual(a.packages(id), b.packages(id));
    assert.equal(a.fingerprint(id), b.fingerprint(id));
    assert.notDeepEqual(a.allIds(), c.allIds());
  });

  test('ids are <role><number> and every key state occurs', () => {
    const f = SimFleet.create({ minions: 20 });
    assert.equal(f.size, 20);
    for (const id of f.allIds()) assert.match(id, /^(web|app|db|cache|worker|lb|mq)\d{4}$/);
    const keys = f.keyLists();
    assert.ok(keys.minions.length >= 15);
    for (const list of [keys.minions_pre, keys.minions_rejected, keys.minions_denied]) assert.ok(list.length >= 1);
    assert.deepEqual([...keys.minions].sort(), keys.minions, 'sorted like Salt');
    assert.throws(() => SimFleet.create({ minions: 0 }), RangeError);
    assert.throws(() => SimFleet.create({ minions: 100_001 }), RangeError);
  });

  test('grains carry the fields the console uses', () => {
    const f = SimFleet.create({ minions: 30 });
    for (const id of f.accepted()) {
      const g = f.grains(id);
      assert.equal(g.id, id);
      for (const key of ['os', 'os_family', 'osrelease', 'kernel', 'kernelrelease', 'cpu_model', 'num_cpus', 'mem_total', 'ipv4', 'fqdn', 'saltversion', 'roles']) {
        assert.ok(g[key] !== undefined, `${id} lacks grain ${key}`);
      }
      assert.ok(['Debian', 'RedHat'].includes(String(g.os_family)));
      assert.deepEqual(g.roles, [f.role(id)]);
      assert.match((g.ipv4 as string[])[1], /^10\.\d+\.\d+\.\d+$/);
    }
    const ips = f.accepted().map((id) => (f.grains(id).ipv4 as string[])[1]);
    assert.equal(new Set(ips).size, ips.length, 'addresses are unique');
  });

  test('packages: hundreds per minion, Debian or RPM style versions with epochs, tildes and releases', () => {
    const f = SimFleet.create({ minions: 40 });
    const all: string[] = [];
    for (const id of f.accepted()) {
      const pkgs = f.packages(id);
      const n = Object.keys(pkgs).length;
      assert.ok(n >= 200 && n <= 400, `${id} has ${n} packages`);
      const rpm = f.grains(id).os_family === 'RedHat';
      for (const v of Object.values(pkgs)) assert.match(v, rpm ? /^(\d+:)?[\d.]+(~\w+)?-\d+\.el9(_\d)?$/ : /^(\d+:)?[\d.]+(~[\w+]+)?-\d+(\+deb12u\d)?$/);
      all.push(...Object.values(pkgs));
    }
    assert.ok(all.some((v) => /^\d+:/.test(v)), 'some epochs');
    assert.ok(all.some((v) => v.includes('~')), 'some tildes');
  });

  test('presence varies with time but is deterministic for an instant', () => {
    const f = SimFleet.create({ minions: 2000 });
    const t0 = Date.UTC(2026, 0, 1);
    const at = (t: number) => f.present(t).join(',');
    assert.equal(at(t0), at(t0 + 1000), 'stable within a window');
    const windows = new Set([0, 1, 2, 3].map((i) => at(t0 + i * 300_000)));
    assert.ok(windows.size > 1, 'changes between windows');
    const down = f.accepted().length - f.present(t0).length;
    assert.ok(down > 0 && down < f.accepted().length * 0.1, `a few minions down (${down})`);
    const id = f.accepted()[0];
    f.setPresence(id, false);
    assert.equal(f.isUp(id, t0), false);
    f.setPresence(id, undefined);
  });

  test('key changes and additions', () => {
    const f = SimFleet.create({ minions: 20 });
    const pending = f.keyLists().minions_pre[0];
    const fp = f.fingerprint(pending);
    f.setKey(pending, 'accepted');
    assert.ok(f.accepted().includes(pending));
    f.setKey(pending, undefined);
    assert.equal(f.keyState(pending), undefined);
    f.setKey(pending, 'pending');
    assert.notEqual(f.fingerprint(pending), fp, 're-submitted key is a new key');
    assert.equal(f.addMinion('newbox01'), true);
    assert.equal(f.keyState('newbox01'), 'pending');
  });

  test('the lab preset is the recording lab', () => {
    const f = SimFleet.create({ preset: 'lab' });
    assert.deepEqual(f.keyLists(), { minions: ['web01', 'web02'], minions_pre: ['db01'], minions_rejected: [], minions_denied: [] });
    assert.deepEqual(f.grains('web01').roles, ['web']);
    assert.deepEqual(f.grains('db01').roles, ['db']);
    assert.equal(f.grains('web02').os, 'Debian');
    assert.deepEqual(f.pillar('web01'), { saltlab: { env: 'lab' } });
    assert.equal(f.masterId, 'saltlab-master');
  });

  test('100,000 minions are cheap to create and list', () => {
    const before = process.memoryUsage().heapUsed;
    const f = SimFleet.create({ minions: 100_000 });
    const keys = f.keyLists();
    assert.equal(f.size, 100_000);
    assert.ok(keys.minions.length > 90_000);
    assert.match(f.allIds()[0], /^[a-z]+\d{6}$/);
    const grown = (process.memoryUsage().heapUsed - before) / 1e6;
    assert.ok(grown < 200, `fleet used ${grown.toFixed(0)} MB`);
  });
});
