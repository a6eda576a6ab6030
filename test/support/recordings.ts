/**
 * @module
 * Where the real salt-api recordings (Salt 3007.14) live for tests: a copy committed under
 * test/fixtures/salt-api-recordings, so `npm test` needs nothing outside the repository.
 * `HALITE_RECORDINGS_DIR` points elsewhere (e.g. a newer set); .ci/run checks that the copy still
 * matches the shared original when that is present.
 */
import path from 'node:path';

export const RECORDINGS_DIR = process.env.HALITE_RECORDINGS_DIR
  ? path.resolve(process.env.HALITE_RECORDINGS_DIR)
  : path.resolve(import.meta.dirname, '../fixtures/salt-api-recordings');
