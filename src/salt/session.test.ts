import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { SaltSession } from './session.ts';
import type { SaltToken } from './types.ts';

/** A login function whose calls stay pending until the test settles them. */
function scriptedLogin() {
  const pending: { resolve: (t: SaltToken) => void; reject: (e: Error) => void }[] = [];
  let n = 0;
  const login = () => new Promise<SaltToken>((resolve, reject) => pending.push({ resolve, reject }));
  const token = (lifetimeS = 43_200): SaltToken => ({
    token: `tok${++n}`, start: 1000, expire: 1000 + lifetimeS, user: 'saltdev', eauth: 'auto', perms: ['.*'],
  });
  return { login, pending, token };
}

describe('SaltSession', () => {
  test('concurrent callers share one login; a failed login fails them all and is retried next time', async () => {
    const s = scriptedLogin();
    const session = new SaltSession(s.login, () => 0);
    const waiters = Array.from({ length: 20 }, () => session.current());
    assert.equal(s.pending.length, 1);
    s.pending[0].reject(new Error('down'));
    for (const w of waiters) await assert.rejects(w, /down/);
    const again = session.current();
    assert.equal(s.pending.length, 2, 'a new login after the failed one');
    s.pending[1].resolve(s.token());
    assert.equal((await again).token, 'tok1');
  });

  test('replace(stale) logs in once, and hands out the newer token to late callers', async () => {
    const s = scriptedLogin();
    const session = new SaltSession(s.login, () => 0);
    const first = session.current();
    s.pending[0].resolve(s.token());
    assert.equal((await first).token, 'tok1');
    const a = session.replace('tok1');
    const b = session.replace('tok1');
    assert.equal(s.pending.length, 2);
    s.pending[1].resolve(s.token());
    assert.equal((await a).token, 'tok2');
    assert.equal((await b).token, 'tok2');
    assert.equal((await session.replace('tok1')).token, 'tok2', 'a late 401 on the old token needs no login');
    assert.equal(s.pending.length, 2);
  });

  test('refreshes 60 s before expiry, or at half-life for short tokens, on the local clock', async () => {
    let now = 5_000_000; // local clock unrelated to the token's start/expire (skew)
    const s = scriptedLogin();
    const session = new SaltSession(s.login, () => now);
    const p = session.current();
    s.pending[0].resolve(s.token(3600));
    await p;
    now += (3600 - 60) * 1000 - 1;
    assert.equal((await session.current()).token, 'tok1');
    now += 1;
    void session.current();
    assert.equal(s.pending.length, 2, 'login at 60 s before expiry');
    s.pending[1].resolve(s.token(20)); // a 20 s token: refreshed after 10 s, not on every call
    await session.current();
    now += 9_999;
    assert.equal((await session.current()).token, 'tok2');
    now += 1;
    void session.current();
    assert.equal(s.pending.length, 3);
  });

  test('clear() forgets the token', async () => {
    const s = scriptedLogin();
    const session = new SaltSession(s.login, () => 0);
    const p = session.current();
    s.pending[0].resolve(s.token());
    await p;
    assert.equal(session.clear()?.token, 'tok1');
    assert.equal(session.clear(), null);
    void session.current();
    assert.equal(s.pending.length, 2);
  });
});
