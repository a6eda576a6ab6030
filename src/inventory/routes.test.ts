/** @module Inventory routes on the simulator's fleet: both faces, CSV, version search in dpkg/rpm order, 422 and 403. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine } from '../../test/support/db.ts';
import { useTestApp } from '../../test/support/app.ts';
import { signInAdmin, userWithRoles, type TestSession } from '../../test/support/auth.ts';
import { startSimulator, type Simulator } from '../../sim/server.ts';
import { SaltApiClient } from '../salt/client.ts';
import { ingestMinions } from '../minions/ingest.ts';
import { ErrorBody } from '../http/problem.ts';
import { ingestInventory } from './ingest.ts';
import { minionPackages } from './packages.ts';
import { applyPackageSets, storedHashes } from './write.ts';
import { InventoryBreakdown, InventoryPackagePage, PackageVersions, VersionSearchResult } from './schemas.ts';

const HX = { 'HX-Request': 'true' };
const EVIL = '<b>evil</b>&"pkg';

describeEachEngine('inventory routes', (engine) => {
  let sim: Simulator;
  let client: SaltApiClient;
  const ctx = useTestApp(engine);
  let admin: TestSession;
  let viewer: TestSession;

  before(async () => {
    sim = await startSimulator({ minions: 12, presenceIntervalMs: 0, jobDurationMs: 2, history: 0 });
    client = new SaltApiClient({ url: sim.url, username: 'saltdev', password: 'x', eauth: 'auto', sleep: async () => {} });
    const { db } = ctx().handle;
    const now = () => new Date();
    await ingestMinions({ db, salt: client, masterId: 'default', now });
    await ingestInventory({ db, salt: client, masterId: 'default', now, pollMs: 5 });
    // Hand-made openssl versions where text order and package-manager order disagree.
    const known = await storedHashes(db, 'default');
    const sets = [
      minionPackages('deb-a', 'Debian', '1', { openssl: '3.0.11-1~deb12u2', [EVIL]: '1.0' }),
      minionPackages('deb-b', 'Debian', '1', { openssl: '3.0.9-1' }),
      minionPackages('deb-c', 'Debian', '1', { openssl: '1.1.1n-0+deb11u4' }),
      minionPackages('deb-d', 'Debian', '1', { openssl: '3.0.11~rc1-1' }),
      minionPackages('rpm-a', 'RedHat', '1', { openssl: '1:3.0.7-24.el9' }),
      minionPackages('rpm-b', 'RedHat', '1', { openssl: '3.0.10-1.el9' }),
    ].map((s) => s!);
    await applyPackageSets(db, 'default', sets, known, now());
    admin = await signInAdmin(ctx().app);
    viewer = await userWithRoles(ctx().app, db, 'vic', ['viewer']);
  });
  after(async () => {
    await client.logout().catch(() => {});
    await sim.close();
  });

  const get = (path: string, headers: Record<string, string> = {}) => ctx().app.request(path, { headers: { ...admin.get, ...headers } });
  const post = (body: unknown, headers: Record<string, string> = admin.json) =>
    ctx().app.request('/api/inventory/packages/search', { method: 'POST', headers, body: JSON.stringify(body) });

  test('GET /api/inventory/packages: prefix search (case-insensitive), paging, both faces', async () => {
    const res = await get('/api/inventory/packages?q=LIBS&limit=5');
    assert.equal(res.status, 200);
    const page = InventoryPackagePage.parse(await res.json());
    assert.equal(page.data.length, 5);
    assert.ok(page.total > 5);
    assert.ok(page.data.every((r) => r.name.toLowerCase().startsWith('libs')));
    assert.ok(page.inventory.minions >= 6);
    const next = InventoryPackagePage.parse(await (await get('/api/inventory/packages?q=libs&limit=5&offset=5')).json());
    assert.notDeepEqual(next.data, page.data);
    const wild = InventoryPackagePage.parse(await (await get('/api/inventory/packages?q=*ssl&limit=5000')).json());
    assert.ok(wild.data.some((r) => r.name === 'openssl'));
    assert.ok(wild.data.every((r) => r.name.toLowerCase().includes('ssl')));

    const frag = await get(`/api/inventory/packages?q=${encodeURIComponent('<b>')}`, HX);
    assert.equal(frag.status, 200);
    const html = await frag.text();
    assert.match(html, /&lt;b>evil&lt;\/b>&amp;&#34;pkg/);
    assert.doesNotMatch(html, /<b>evil/);
  });

  test('CSV export of the matches', async () => {
    const res = await get('/api/inventory/packages?q=openssl&format=csv');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('Content-Type') ?? '', /text\/csv/);
    const lines = (await res.text()).trim().split('\r\n');
    assert.equal(lines[0], 'minion_id,name,version,source');
    assert.ok(lines.includes('deb-b,openssl,3.0.9-1,deb'));
    assert.ok(lines.includes('rpm-a,openssl,1:3.0.7-24.el9,rpm'));
  });

  test('versions of a package: newest first in each package manager’s order, with minion counts', async () => {
    const res = await get('/api/inventory/packages/openssl/versions');
    const v = PackageVersions.parse(await res.json());
    const deb = v.versions.filter((x) => x.source === 'deb').map((x) => x.version);
    const rpm = v.versions.filter((x) => x.source === 'rpm').map((x) => x.version);
    // Text order would put 3.0.9 above 3.0.11 and ignore the tilde and the epoch.
    assert.deepEqual(deb.filter((x) => ['3.0.11-1~deb12u2', '3.0.11~rc1-1', '3.0.9-1', '1.1.1n-0+deb11u4'].includes(x)),
      ['3.0.11-1~deb12u2', '3.0.11~rc1-1', '3.0.9-1', '1.1.1n-0+deb11u4']);
    assert.deepEqual(rpm.filter((x) => ['1:3.0.7-24.el9', '3.0.10-1.el9'].includes(x)), ['1:3.0.7-24.el9', '3.0.10-1.el9']);
    assert.equal(v.minions, v.versions.reduce((n, x) => n + x.minions, 0));
    const frag = await (await get('/api/inventory/packages/openssl/versions', HX)).text();
    assert.match(frag, /3\.0\.11-1~deb12u2/);
  });

  test('POST search: < 3.0.10 in dpkg and rpm order (tilde before release, epoch wins)', async () => {
    const res = await post({ name: 'openssl', operator: '<', version: '3.0.10' });
    assert.equal(res.status, 200);
    const r = VersionSearchResult.parse(await res.json());
    const mine = r.data.filter((x) => /^(deb|rpm)-/.test(x.minion_id)).map((x) => x.minion_id).sort();
    assert.deepEqual(mine, ['deb-b', 'deb-c']);
    assert.equal(r.total, r.matched_versions.reduce((n, v) => n + v.minions, 0));
    const ge = VersionSearchResult.parse(await (await post({ name: 'openssl', operator: '>=', version: '3.0.10' })).json());
    assert.deepEqual(ge.data.filter((x) => /^(deb|rpm)-/.test(x.minion_id)).map((x) => x.minion_id).sort(), ['deb-a', 'deb-d', 'rpm-a', 'rpm-b']);
    const eq = VersionSearchResult.parse(await (await post({ name: 'openssl', operator: '=', version: '3.0.10' })).json());
    assert.deepEqual(eq.data.map((x) => x.minion_id), ['rpm-b'], 'rpm: a version without release matches any release');
    const none = VersionSearchResult.parse(await (await post({ name: 'no-such-package', operator: '>', version: '0' })).json());
    assert.equal(none.total, 0);
  });

  test('POST search as a form from htmx answers the results fragment; invalid input is 422 with the field', async () => {
    const form = new URLSearchParams({ name: 'openssl', operator: '<=', version: '3.0.9-1', _csrf: admin.csrf });
    const res = await ctx().app.request('/api/inventory/packages/search', {
      method: 'POST', headers: { ...admin.get, ...HX, 'X-CSRF-Token': admin.csrf, 'Content-Type': 'application/x-www-form-urlencoded' }, body: form.toString(),
    });
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /deb-b/);
    assert.doesNotMatch(html, /deb-a/);

    const badForm = await ctx().app.request('/api/inventory/packages/search', {
      method: 'POST', headers: { ...admin.get, ...HX, 'X-CSRF-Token': admin.csrf, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ name: 'openssl', operator: '<', version: '' }).toString(),
    });
    assert.equal(badForm.status, 422);
    const alert = await badForm.text();
    assert.match(alert, /role="alert"/);
    assert.match(alert, /<code>version<\/code>/);

    const bad = await post({ name: 'openssl', operator: '~=', version: '' });
    assert.equal(bad.status, 422);
    const body = ErrorBody.parse(await bad.json());
    assert.deepEqual(body.fields?.map((f) => f.field).sort(), ['operator', 'version']);
    const tooMany = await get('/api/inventory/packages?limit=5001');
    assert.equal(tooMany.status, 422);
    assert.equal(ErrorBody.parse(await tooMany.json()).fields?.[0].field, 'limit');
  });

  test('breakdown by OS and salt version; the page; a viewer is refused', async () => {
    const b = InventoryBreakdown.parse(await (await get('/api/inventory/breakdown')).json());
    assert.equal(b.total, sim.fleet.accepted().length);
    assert.equal(b.os.reduce((n, r) => n + r.minions, 0), b.total);
    assert.equal(b.saltversion.reduce((n, r) => n + r.minions, 0), b.total);
    const page = await get('/inventory', { Accept: 'text/html' });
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /Find minions by version/);
    assert.match(html, /Operating systems/);
    for (const path of ['/api/inventory/packages', '/api/inventory/breakdown', '/inventory']) {
      const res = await ctx().app.request(path, { headers: viewer.get });
      assert.equal(res.status, 403, path);
    }
    assert.equal((await post({ name: 'openssl', operator: '<', version: '1' }, viewer.json)).status, 403);
  });
});
