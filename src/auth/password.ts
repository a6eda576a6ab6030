/**
 * @module
 * Password hashing with argon2id (the @node-rs/argon2 default; its `Algorithm` const enum is not
 * imported, see STYLE.md). Checking an unknown user verifies against a fixed dummy hash, so it costs
 * the same time as a wrong password and does not reveal which usernames exist.
 */
import { hash, verify } from '@node-rs/argon2';

/** OWASP's argon2id minimum: 19 MiB, 2 iterations, 1 lane. */
const OPTIONS = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

let dummyHash: Promise<string> | null = null;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

/** Verifies `password` against `stored`, or against the dummy hash when there is no user. */
export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  if (stored === null) {
    dummyHash ??= hash('halite-dummy-password-for-timing', OPTIONS);
    await verify(await dummyHash, password);
    return false;
  }
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/** The rules a new password must meet; returns the problem, or null when it is acceptable. */
export function passwordProblem(password: string, username: string): string | null {
  if (password.length < 12) return 'must be at least 12 characters';
  if (password.length > 512) return 'must be at most 512 characters';
  if (password.toLowerCase() === username.toLowerCase()) return 'must not be the username';
  if (password === 'changeme') return 'must not be the bootstrap password';
  return null;
}
