/**
 * @module
 * The grains hash for change detection: it runs over every minion's whole grains JSON on each
 * tick, so it uses node:crypto (about 8× faster than pure-JS SHA-1 here). Only the ingest, which
 * the runtime runs, imports it; request code uses the portable row hash (./row-hash.ts).
 */
import { createHash } from 'node:crypto';

/** The hash of one minion's grains JSON (Salt returns the cached dict in a stable order). */
export function grainsHashOf(g: Record<string, unknown>): string {
  return createHash('sha1').update(JSON.stringify(g)).digest('base64');
}
