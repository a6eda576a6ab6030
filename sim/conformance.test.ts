/**
 * @module sim/conformance.test
 * Replays every real salt-api recording (../shared/salt-api-recordings/*.json, or
 * $HALITE_RECORDINGS_DIR) against a fresh `lab` simulator and compares status, Content-Type,
 * key headers, the CherryPy error message and the JSON shape. Before each replay the state the
 * recording needs is rebuilt (key states, running/killed/finished jobs, logged-out, expired or
 * pre-restart tokens) and the recording's tokens and jids are substituted. Also checks the
 * /events framing against events.sse and the end-of-stream after token expiry and logout.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { parse as parseYaml } from 'yaml';
import { startSimulator, type Simulator } from './server.ts';
import { shapeDiff } from './shape.ts';
import { login as loginAt, rawRequest, type RawResponse } from './testing.ts';
import { RECORDINGS_DIR } from '../test/support/recordings.ts';

const DIR = RECORDINGS_DIR;

interface Recording {
  request: { method: string; path: string; headers: Record<string, string>; body: unknown };
  response: { status: number; headers: Record<string, string>; body: unknown };
}

/**
 * Recordings the simulator deliberately does not reproduce, with the reason. Keep this short.
 */
const KNOWN_DIFFERENCES: Record<string, string> = {};

/** Recorded tokens and what each stands for in the lab session that produced them. */
const TOKENS: Record<string, 'main' | 'fresh' | 'mallory' | 'short' | 'raw'> = {
  '82ed18d69e48f907b8547e8a9be607367972322b': 'main',
  bac3cbe6a22d04b8ea66bbf3ca254eb41d1364bb: 'fresh',
  ff2e5b68f569d90cc012d26a0c57a8c7f742c738: 'fresh',
  '7c5b4b28ccc343745a2795d15a437b8598fd81d0': 'mallory',
  '0a3c3e6e4da42053c0c79e34ae058670dbed3eec': 'short',
  '7b091333a9fd8bfa7c054dd5306cfea109380124047d35093088a1bca3e3da9e': 'raw',
};

/** Recorded jids and the job each one was. */
const JIDS: Record<string, { fun: string; arg: unknown[] }> = {
  '20261124152927516581': { fun: 'test.sleep', arg: [30] },
  '20261124152935251082': { fun: 'state.apply', arg: ['demo'] },
  '20261124152907155273': { fun: 'test.ping', arg: [] },
  '20261124153028944827': { fun: 'test.ping', arg: [] },
};

/** db01's key state at the time of the recording (default: pending). */
const DB01_STATE: Record<string, 'accepted' | 'rejected' | undefined> = {
  'wheel-key.list_all-2-after-accept': 'accepted', 'wheel-key.list_all-3-after-reject': 'rejected', 'wheel-key.list_all-4-after-delete': undefined,
  'wheel-key.reject-db01-accepted-no-include': 'accepted', 'wheel-key.reject-db01': 'accepted', 'wheel-key.list-pre': 'accepted',
  'wheel-key.finger-all': undefined, 'events-trigger-06-test.ping-3-minions': 'accepted', 'events-trigger-07-key.reject': 'accepted', 'events-trigger-08-key.delete': 'rejected',
};

const login = (sim: Simulator, extra: Record<string, unknown> = {}, username = 'saltdev') => loginAt(sim.url, extra, username);

function substitute(text: string, map: Map<string, string>): string {
  let out = text;
  for (const [from, to] of map) out = out.split(from).join(to);
  return out;
}

/** Rebuilds the state a recording needs; returns recorded → simulator substitutions. */
async function prepare(name: string, rec: Recording, sim: Simulator, clock: { offset: number }): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  const text = JSON.stringify(rec.request);
  if (name in DB01_STATE) sim.fleet.setKey('db01', DB01_STATE[name]);
  // This was the lab's first run of demo.sls: both file states changed.
  if (name === 'local-state.apply-demo') sim.fleet.appliedStates.clear();
  for (const [recorded, role] of Object.entries(TOKENS)) {
    if (!text.includes(recorded)) continue;
    let token: string;
    if (role === 'mallory') token = await login(sim, {}, 'mallory');
    else if (role === 'short') token = await login(sim, { token_expire: 20 });
    else if (role === 'raw') {
      const r = await rawRequest(`${sim.url}/token`, 'POST', { 'Content-Type': 'application/json' }, JSON.stringify({ username: 'saltdev', password: 'x', eauth: 'auto' }));
      token = JSON.parse(r.body.toString())[0].token;
    } else token = await login(sim);
    map.set(recorded, token);
    if (/after-logout|logout-POST-again/.test(name) && role === 'fresh') {
      await rawRequest(`${sim.url}/logout`, 'POST', { 'X-Auth-Token': token });
    }
  }
  if (/short-token-expired/.test(name)) clock.offset += 21_000;
  if (name === 'root-POST-token-after-api-restart') {
    await sim.faults.down();
    await sim.faults.up();
  }
  // Jobs the recording refers to, in the state it saw them.
  const killed = /killed|after-kill/.test(name);
  for (const [recorded, spec] of Object.entries(JIDS)) {
    if (!text.includes(recorded) && !(name === 'runner-jobs.active-after-kill' && spec.fun === 'test.sleep')) continue;
    const published = sim.master.publish({ fun: spec.fun, arg: spec.arg, tgt: '*', user: 'saltdev' })!;
    map.set(recorded, published.job.jid);
    if (killed) for (const mid of published.job.minions) sim.master.killJob(mid, published.job.jid);
    else if (spec.fun !== 'test.sleep') await published.done;
  }
  if (/^runner-jobs\.active$|saltutil\.running/.test(name)) sim.master.publish({ fun: 'test.sleep', arg: [30], tgt: '*', user: 'saltdev' });
  if (/list_jobs\.json|list_jobs-search|list_jobs-start|^jobs-GET\.json$/.test(name + '.json')) {
    for (const [fun, arg, tgt] of [['test.ping', [], 'web01'], ['state.apply', ['demo'], '*'], ['test.sleep', [], 'web01'], ['cmd.run', ['pwd'], 'web01']] as const) {
      await sim.master.publish({ fun, arg: [...arg], kwarg: fun === 'cmd.run' ? { cwd: '/tmp' } : {}, tgt, user: 'saltdev' })!.done;
    }
  }
  return map;
}

function bodyOf(res: RawResponse): string {
  const buf = res.headers['content-encoding'] === 'gzip' ? gunzipSync(res.body) : res.body;
  return buf.toString('utf8');
}

const paragraph = (html: string) => /<p>([\s\S]*?)<\/p>/.exec(html)?.[1];
const CHECKED_HEADERS = ['allow', 'cache-control', 'x-auth-token', 'set-cookie', 'www-authenticate'];

/** Compares one recording with the simulator's answer; returns the differences. */
async function replay(name: string, rec: Recording): Promise<string[]> {
  const clock = { offset: 0 };
  const sim = await startSimulator({ preset: 'lab', jobDurationMs: 5, sharedSecret: 'saltlab-shared-secret', clock: () => Date.now() + clock.offset });
  try {
    const map = await prepare(name, rec, sim, clock);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(rec.request.headers)) if (k !== 'Content-Length') headers[k] = substitute(v, map);
    const body = rec.request.body === null || rec.request.body === undefined ? undefined
      : substitute(typeof rec.request.body === 'string' ? rec.request.body : JSON.stringify(rec.request.body), map);
    const res = await rawRequest(sim.url + substitute(rec.request.path, map), rec.request.method, headers, body);
    const diffs: string[] = [];
    if (res.status !== rec.response.status) diffs.push(`status: expected ${rec.response.status}, got ${res.status}`);
    const ct = String(res.headers['content-type']);
    if (ct !== rec.response.headers['Content-Type']) diffs.push(`content-type: expected ${rec.response.headers['Content-Type']}, got ${ct}`);
    const recordedHeaders = Object.fromEntries(Object.entries(rec.response.headers).map(([k, v]) => [k.toLowerCase(), v]));
    for (const h of CHECKED_HEADERS) {
      const want = recordedHeaders[h];
      const got = res.headers[h];
      if ((want === undefined) !== (got === undefined)) diffs.push(`header ${h}: expected ${want ?? 'none'}, got ${got ?? 'none'}`);
      else if (want !== undefined && (h === 'allow' || h === 'cache-control') && want !== got) diffs.push(`header ${h}: expected ${want}, got ${got}`);
    }
    const text = bodyOf(res);
    if (ct.startsWith('text/html')) {
      const want = paragraph(String(rec.response.body));
      const got = paragraph(text);
      if (want !== got) diffs.push(`message: expected <p>${want}</p>, got <p>${got}</p>`);
    } else if (ct.startsWith('application/json')) {
      diffs.push(...shapeDiff(rec.response.body, JSON.parse(text)));
    } else if (ct.startsWith('application/x-yaml')) {
      diffs.push(...shapeDiff(parseYaml(String(rec.response.body)), parseYaml(text)));
    }
    return diffs;
  } finally {
    await sim.close();
  }
}

function listRecordings(): string[] {
  try {
    return readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();
  } catch {
    return []; // reported by the first test, with the directory it looked in
  }
}
const files = listRecordings();

describe('conformance: every salt-api recording replays against the simulator', () => {
  test('the recordings directory holds the recordings', () => {
    assert.ok(files.length >= 150, `expected the salt-api recordings in ${DIR} (set HALITE_RECORDINGS_DIR), found ${files.length} files`);
  });
  for (const file of files) {
    const name = file.replace(/\.json$/, '');
    test(name, async (t) => {
      const rec = JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as Recording;
      const diffs = await replay(name, rec);
      if (KNOWN_DIFFERENCES[name]) {
        t.diagnostic(`known difference: ${KNOWN_DIFFERENCES[name]}`);
        assert.ok(diffs.length > 0, `${name} is listed in KNOWN_DIFFERENCES but now conforms: remove it from the list`);
        return;
      }
      assert.deepEqual(diffs, [], `${name} differs from the recording:\n  ${diffs.join('\n  ')}`);
    });
  }
});
