/**
 * @module
 * Secrets at rest (the salt-api password): AES-256-GCM through Web Crypto, under a key derived from
 * HALITE_SECRET_KEY with HKDF-SHA256. Stored as base64 of `version (1 byte) | iv (12) | ciphertext+tag`.
 * A value that no longer decrypts (the secret key changed) is a result, not an exception, so the
 * Settings page can ask for the password again instead of failing.
 */

const VERSION = 1;
const IV_BYTES = 12;
// Fixed per purpose: a key derived for this never equals one derived for another use of the secret.
const HKDF_INFO = new TextEncoder().encode('halite/app_settings/salt_api_password/v1');
const HKDF_SALT = new TextEncoder().encode('halite');
// Binds the ciphertext to where it is stored: a value copied into another column will not decrypt.
const AAD = new TextEncoder().encode('app_settings.salt_api_password_enc');

/** Why a stored value could not be read. */
export type DecryptFailure = 'key_changed' | 'malformed';

/** The outcome of {@link decryptSecret}. */
export type DecryptResult = { ok: true; value: string } | { ok: false; reason: DecryptFailure };

/** What the Settings page says when the stored password cannot be read. */
export const UNDECRYPTABLE_MESSAGE = 'The stored password no longer decrypts (the secret key changed): enter it again.';

const keys = new Map<string, Promise<CryptoKey>>();

/** The AES key for a secret (cached: HKDF per request would be wasted work). */
function keyFor(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = (async () => {
      const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), 'HKDF', false, ['deriveKey']);
      return crypto.subtle.deriveKey(
        { name: 'HKDF', hash: 'SHA-256', salt: HKDF_SALT, info: HKDF_INFO },
        material,
        { name: 'AES-GCM', length: 256 },
        false,
        ['encrypt', 'decrypt'],
      );
    })();
    keys.set(secret, key);
  }
  return key;
}

/** Encrypts `plaintext` under `secret`; a fresh random IV each time. */
export async function encryptSecret(secret: string, plaintext: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: AAD },
      await keyFor(secret),
      new TextEncoder().encode(plaintext),
    ),
  );
  const out = new Uint8Array(1 + IV_BYTES + sealed.length);
  out[0] = VERSION;
  out.set(iv, 1);
  out.set(sealed, 1 + IV_BYTES);
  return toBase64(out);
}

/** Decrypts what {@link encryptSecret} produced; never throws. */
export async function decryptSecret(secret: string, stored: string): Promise<DecryptResult> {
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = fromBase64(stored);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  // 16 bytes is the GCM tag: anything shorter cannot be ours.
  if (bytes.length < 1 + IV_BYTES + 16 || bytes[0] !== VERSION) return { ok: false, reason: 'malformed' };
  try {
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: bytes.subarray(1, 1 + IV_BYTES), additionalData: AAD },
      await keyFor(secret),
      bytes.subarray(1 + IV_BYTES),
    );
    return { ok: true, value: new TextDecoder().decode(plain) };
  } catch {
    // GCM authentication failed: with a well-formed value, the key is the likely culprit.
    return { ok: false, reason: 'key_changed' };
  }
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
