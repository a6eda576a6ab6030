import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decryptSecret, encryptSecret } from './crypto.ts';

const KEY = 'a-secret-key-of-at-least-thirty-two-chars';

test('round trip, with a fresh IV every time', async () => {
  const a = await encryptSecret(KEY, 'p@ss wörd');
  const b = await encryptSecret(KEY, 'p@ss wörd');
  assert.notEqual(a, b);
  assert.ok(!a.includes('p@ss'));
  assert.deepEqual(await decryptSecret(KEY, a), { ok: true, value: 'p@ss wörd' });
  assert.deepEqual(await decryptSecret(KEY, b), { ok: true, value: 'p@ss wörd' });
});

test('the version byte leads the stored value', async () => {
  const bytes = Buffer.from(await encryptSecret(KEY, 'x'), 'base64');
  assert.equal(bytes[0], 1);
  assert.equal(bytes.length, 1 + 12 + 1 + 16);
});

test('another key is a result, not an exception', async () => {
  const stored = await encryptSecret(KEY, 'secret');
  assert.deepEqual(await decryptSecret('another-secret-key-of-thirty-two-chars!!', stored), { ok: false, reason: 'key_changed' });
});

test('a tampered or malformed value does not decrypt', async () => {
  const bytes = Buffer.from(await encryptSecret(KEY, 'secret'), 'base64');
  bytes[bytes.length - 1] ^= 1;
  assert.deepEqual(await decryptSecret(KEY, bytes.toString('base64')), { ok: false, reason: 'key_changed' });
  assert.deepEqual(await decryptSecret(KEY, 'not base64 !!'), { ok: false, reason: 'malformed' });
  assert.deepEqual(await decryptSecret(KEY, Buffer.from([2, 1, 2]).toString('base64')), { ok: false, reason: 'malformed' });
});
