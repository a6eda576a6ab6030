/**
 * @module sim/wheel
 * Wheel functions (`client: wheel` / `wheel_async`), i.e. key management: key.list_all, key.list,
 * key.accept, key.reject, key.delete, key.finger, key.finger_master, key.name_match. Answers are
 * Salt's doubly nested wrapper; each call fires two new/ret pairs with different jids (the first
 * is the one returned), `salt/key` per changed key, and the follow-up auth events of live minions.
 */
import type { KeyState } from './fleet.ts';
import { publicKeyPem, type SimMaster } from './master.ts';
import { globToRegExp } from './targeting.ts';
import { saltStamp } from './wire.ts';

const STATUS_NAMES: Record<KeyState, string> = { accepted: 'minions', pending: 'minions_pre', rejected: 'minions_rejected', denied: 'minions_denied' };
const ORDER: KeyState[] = ['accepted', 'pending', 'rejected', 'denied'];

/** Delay before a deleted but running minion re-submits its key (Salt's acceptance_wait_time). */
export const KEY_RESUBMIT_MS = 10_000;

function matcher(match: unknown): (id: string) => boolean {
  if (Array.isArray(match)) { const set = new Set(match.map(String)); return (id) => set.has(id); }
  const text = String(match ?? '');
  if (text.includes(',')) { const set = new Set(text.split(',').map((s) => s.trim())); return (id) => set.has(id); }
  const re = globToRegExp(text);
  return (id) => re.test(id);
}

/** `key.name_match`: `{status: [ids]}` for the statuses that have matches. */
function nameMatch(m: SimMaster, match: unknown): Record<string, string[]> {
  const test = matcher(match);
  const out: Record<string, string[]> = {};
  for (const state of ORDER) {
    const ids = m.fleet.idsWithKey(state).filter(test);
    if (ids.length) out[STATUS_NAMES[state]] = ids;
  }
  return out;
}

function finger(m: SimMaster, match: unknown): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const [status, ids] of Object.entries(nameMatch(m, match))) out[status] = Object.fromEntries(ids.map((id) => [id, m.fleet.fingerprint(id)]));
  if (String(match) === '*') out.local = m.fleet.masterFingerprints();
  return out;
}

/** Moves the matched keys in `from` states to `to`; fires salt/key and the live minions' auth events. */
function transition(m: SimMaster, match: unknown, from: KeyState[], to: KeyState | undefined, act: string): void {
  const test = matcher(match);
  for (const state of from) {
    for (const id of m.fleet.idsWithKey(state).filter(test)) {
      m.fleet.setKey(id, to);
      m.bus.fire('salt/key', { result: true, act, id });
      if (!m.fleet.isUp(id, m.now())) continue;
      if (to === 'accepted') m.later(m.opts.jobDurationMs, () => m.minionStart(id));
      if (to === undefined) {
        m.later(KEY_RESUBMIT_MS, () => {
          if (m.fleet.keyState(id) !== undefined) return;
          m.fleet.setKey(id, 'pending');
          m.bus.fire('salt/auth', { result: true, act: 'pend', id, pub: publicKeyPem(m.fleet.seed, id) });
        });
      }
    }
  }
  if (to === undefined) m.later(m.opts.jobDurationMs, () => m.bus.fire('key', { rotate_aes_key: true }));
}

type Wheel = (m: SimMaster, kw: Record<string, unknown>) => unknown;

const WHEELS: Record<string, Wheel> = {
  'key.list_all': (m) => ({ ...m.fleet.keyLists(), local: ['master.pem', 'master.pub'] }),
  'key.list': (m, kw) => {
    const which = String(kw.match ?? 'all');
    const alias: Record<string, KeyState[]> = { pre: ['pending'], un: ['pending'], unaccepted: ['pending'], acc: ['accepted'], accepted: ['accepted'],
      rej: ['rejected'], rejected: ['rejected'], den: ['denied'], denied: ['denied'], all: ORDER };
    const states = alias[which] ?? [];
    const out: Record<string, unknown> = Object.fromEntries(states.map((s) => [STATUS_NAMES[s], m.fleet.idsWithKey(s)]));
    if (which === 'all') out.local = ['master.pem', 'master.pub'];
    return out;
  },
  'key.name_match': (m, kw) => nameMatch(m, kw.match),
  'key.accept': (m, kw) => {
    const from: KeyState[] = ['pending', ...(kw.include_rejected ? ['rejected' as const] : []), ...(kw.include_denied ? ['denied' as const] : [])];
    transition(m, kw.match, from, 'accepted', 'accept');
    return nameMatch(m, kw.match);
  },
  'key.reject': (m, kw) => {
    const from: KeyState[] = ['pending', ...(kw.include_accepted ? ['accepted' as const] : []), ...(kw.include_denied ? ['denied' as const] : [])];
    transition(m, kw.match, from, 'rejected', 'reject');
    return nameMatch(m, kw.match);
  },
  'key.delete': (m, kw) => { transition(m, kw.match, ORDER, undefined, 'delete'); return {}; },
  'key.finger': (m, kw) => finger(m, kw.match),
  'key.finger_master': (m) => ({ local: { 'master.pub': m.fleet.masterFingerprints()['master.pub'] } }),
};

/** Every wheel function the simulator implements. */
export const WHEEL_FUNCTIONS = Object.keys(WHEELS).sort();

/** The `fun_args` Salt's inner wheel job shows: the match plus the include_* flags the function takes. */
function innerFunArgs(fun: string, kw: Record<string, unknown>): unknown[] {
  const flags: Record<string, string[]> = { 'key.accept': ['include_denied', 'include_rejected'], 'key.reject': ['include_denied', 'include_accepted'] };
  const names = flags[fun];
  if (!names) return kw.match === undefined ? [] : [kw.match];
  return [kw.match, Object.fromEntries(names.map((n) => [n, kw[n] === true]))];
}

/**
 * Runs a wheel function as `user`. Returns Salt's `{tag, data: {fun, jid, tag, user, _stamp,
 * return, success}}` (or `{tag, jid}` with `async`). A missing function is `success: false` with a
 * traceback string, still HTTP 200.
 */
export function runWheel(m: SimMaster, fun: string, kw: Record<string, unknown>, user: string, async = false): Record<string, unknown> {
  const outer = m.jobs.newJid();
  const inner = m.jobs.newJid();
  const tag = `salt/wheel/${outer}`;
  const innerBase = { fun: `wheel.${fun}`, jid: inner, user: 'UNKNOWN', fun_args: innerFunArgs(fun, kw) };
  m.bus.fire(`${tag}/new`, { fun: `wheel.${fun}`, jid: outer, tag, user });
  m.recordMasterJob(inner, `wheel.${fun}`, 'UNKNOWN', 'wheel');
  m.bus.fire(`salt/wheel/${inner}/new`, innerBase);
  const wheel = WHEELS[fun];
  let value: unknown;
  let success = true;
  if (wheel) value = wheel(m, kw);
  else {
    success = false;
    value = `Exception occurred in wheel ${fun}: Traceback (most recent call last):\n  File "/opt/saltstack/salt/lib/python3.10/site-packages/salt/client/mixins.py", line 340, in low\n    salt.utils.lazy.verify_fun(self_functions, fun)\n  File "/opt/saltstack/salt/lib/python3.10/site-packages/salt/utils/lazy.py", line 23, in verify_fun\n    raise salt.exceptions.CommandExecutionError(lazy_obj.missing_fun_string(fun))\nsalt.exceptions.CommandExecutionError: '${fun}' is not available.\n`;
  }
  m.bus.fire(`salt/wheel/${inner}/ret`, () => ({ ...innerBase, return: value, success }));
  const data = { fun: `wheel.${fun}`, jid: outer, tag, user, _stamp: '', return: value, success };
  m.bus.fire(`${tag}/ret`, data);
  if (async) return { tag, jid: outer };
  return { tag, data: { ...data, _stamp: saltStamp(m.now()) } };
}
