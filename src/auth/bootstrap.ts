/**
 * @module
 * What sign-in needs before the first request: the built-in roles (reset to their definition at
 * every boot) and, on an empty users table, the bootstrap admin.
 */
import type { Db } from '../db/types.ts';
import type { Logger } from '../log.ts';
import { seedBuiltinRoles } from '../rbac/service.ts';
import { BOOTSTRAP_PASSWORD, BOOTSTRAP_USERNAME, bootstrapAdmin } from '../users/service.ts';

export async function prepareAuth(db: Db, logger?: Logger): Promise<void> {
  await seedBuiltinRoles(db);
  if (await bootstrapAdmin(db)) {
    logger?.warn('created the bootstrap admin: sign in and change its password now', {
      username: BOOTSTRAP_USERNAME,
      initial_password_hint: `the documented default (${BOOTSTRAP_PASSWORD.length} characters)`,
    });
  }
}
