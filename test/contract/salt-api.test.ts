/**
 * The contract suite: Halite's SaltApiClient against a REAL salt-api (rest_cherrypy).
 *
 * Runs when `HALITE_TEST_SALT_API_URL` is set (CI: `scripts/salt-lab start` then
 * `eval "$(scripts/salt-lab env)"`), and is skipped with a one-line reason otherwise. Every
 * scenario lives in one describe in one file so they run in order against the one lab: the key
 * scenario rotates the master's AES key, which must not race the job scenarios.
 *
 * @module
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SaltApiClient } from '../../src/salt/client.ts';
import { eventScenarios } from './events.scenarios.ts';
import { jobScenarios } from './jobs.scenarios.ts';
import { keyScenarios } from './keys.scenarios.ts';
import { ACCEPTED, contractEnv, labClient, skipReason } from './lab.ts';

const env = contractEnv();
const reason = skipReason(env);

describe('salt-api contract (real Salt)', { skip: reason, timeout: 180_000 }, () => {
  let shared: SaltApiClient | undefined;
  const client = () => {
    assert.ok(shared, 'the shared client is created in before()');
    return shared;
  };

  before(async () => {
    shared = labClient(env!);
    await shared.login();
  });

  after(async () => {
    await shared?.logout();
  });

  test('test.version: the Salt version the suite runs against', async (t) => {
    const versions = await client().localCall([...ACCEPTED], 'test.version');
    assert.deepEqual(Object.keys(versions).sort(), [...ACCEPTED]);
    const distinct = [...new Set(Object.values(versions))];
    assert.equal(distinct.length, 1, `one Salt version across minions: ${JSON.stringify(versions)}`);
    assert.match(String(distinct[0]), /^\d{4}\.\d+/);
    // Once, in the test output (and so in the CI log): which Salt this run proved the client against.
    t.diagnostic(`salt-api contract suite: Salt ${distinct[0]} at ${env!.url}`);
  });

  jobScenarios(env!, client);
  eventScenarios(env!, client);
  // Last: deleting a key rotates the AES key and makes every minion re-authenticate.
  keyScenarios(client);
});
