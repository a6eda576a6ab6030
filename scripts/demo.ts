/**
 * `npm run demo`: Halite on the embedded database together with the salt-api simulator serving a
 * 200-minion fleet, with the settings already pointing at it, so the console shows a connected
 * Salt without any manual step.
 *
 *   npm run demo                   # data in ./data-demo (kept between runs)
 *   npm run demo -- --fresh        # start over with an empty ./data-demo
 *   npm run demo -- --minions 2000 # a bigger fleet
 *
 * HALITE_PORT (default 8080), HALITE_HOST and HALITE_DATA_DIR apply as usual; HALITE_DATABASE_URL is
 * ignored (the demo always uses the embedded database). DEMO_SIM_PORT fixes the simulator's port.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { eq } from 'drizzle-orm';
import { parseSettings } from '../src/config.ts';
import { createLogger, type Logger } from '../src/log.ts';
import { ensureSecretKey } from '../src/secret-key.ts';
import { startHalite } from '../src/start.ts';
import { updateSettings } from '../src/settings/service.ts';
import { users } from '../src/auth/model.ts';
import { startSimulator } from '../sim/server.ts';

const { values: args } = parseArgs({
  options: { fresh: { type: 'boolean', default: false }, minions: { type: 'string', default: '200' } },
});

async function main(): Promise<void> {
  let settings = parseSettings({
    ...process.env,
    NODE_ENV: 'development',
    HALITE_DATABASE_URL: '',
    HALITE_DATA_DIR: process.env.HALITE_DATA_DIR || './data-demo',
    HALITE_LOG_LEVEL: process.env.HALITE_LOG_LEVEL || 'warn',
  });
  if (args.fresh) rmSync(settings.dataDir, { recursive: true, force: true });
  const logger: Logger = createLogger(settings.logLevel);
  settings = ensureSecretKey(settings, logger);
  const secretKey = settings.secretKey!;

  const minions = Number.parseInt(args.minions, 10);
  const sim = await startSimulator({ minions, port: Number(process.env.DEMO_SIM_PORT ?? 0) });
  const halite = await startHalite(settings, logger, {
    // The simulator's eauth `auto` accepts user saltdev with any password.
    beforeBoot: (db) =>
      updateSettings(
        db,
        secretKey,
        { salt_api_url: sim.url, salt_api_eauth: 'auto', salt_api_username: 'saltdev', salt_api_password: 'demo', salt_api_verify_tls: true },
        'demo',
      ).then(() => undefined),
  }).catch(async (e) => {
    await sim.close();
    throw e;
  });

  // Wait (briefly) for the first login so the summary can say Salt is connected.
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([halite.booted, new Promise((r) => (timer = setTimeout(r, 15_000)))]);
  clearTimeout(timer);
  const salt = halite.runtime.status();
  const [admin] = await halite.handle.db.select({ mustChangePw: users.mustChangePw }).from(users).where(eq(users.username, 'admin'));
  const signIn = admin?.mustChangePw
    ? 'admin / changeme (you choose a new password at the first sign-in)'
    : `admin / the password you chose in an earlier demo (npm run demo -- --fresh starts over)`;

  const lines = [
    '',
    'Halite demo',
    `  Halite      ${halite.url}`,
    `  Sign in     ${signIn}`,
    `  salt-api    ${sim.url} (simulated, ${sim.fleet.size} minions) — ${salt.state === 'ok' ? 'connected' : salt.state}${salt.message ? `: ${salt.message}` : ''}`,
    `  Data        ${path.resolve(settings.dataDir)}`,
    '',
    '  Try a salt-api outage:  curl -X POST ' + `${sim.url}/_sim/down-for -d '{"ms":60000}'`,
    '  Stop with Ctrl-C.',
    '',
  ];
  console.log(lines.join('\n'));

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    await halite.stop();
    await sim.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
}

main().catch((e) => {
  console.error(`demo failed to start: ${e?.message ?? e}`);
  process.exit(1);
});
