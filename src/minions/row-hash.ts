/**
 * @module
 * The hash of a minion_snapshots row's whole content (the grains enter through their own hash):
 * portable code, since key actions recompute it inside a request.
 */
import { sha1 } from '@oslojs/crypto/sha1';
import { encodeBase64 } from '@oslojs/encoding';
import type { KeyStatus } from './model.ts';

export function contentHashOf(r: { keyStatus: KeyStatus; present: boolean; ip: string | null; grainsHash: string }): string {
  return encodeBase64(sha1(new TextEncoder().encode(`${r.keyStatus}\u0000${r.present ? 1 : 0}\u0000${r.ip ?? ''}\u0000${r.grainsHash}`)));
}
