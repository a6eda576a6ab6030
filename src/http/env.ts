/**
 * @module
 * The Hono environment every router shares: the app's dependencies and the per-request values.
 */
import type { Db } from '../db/types.ts';
import type { Logger } from '../log.ts';
import type { Settings } from '../config.ts';
import type { AssetStore } from './assets.ts';
import type { AuthState } from '../auth/context.ts';
import type { Runtime } from '../runtime-types.ts';
import type { SaltTransportFactory } from '../salt/transport.ts';
import type { PermissionCache } from '../rbac/service.ts';
import type { LoginThrottle } from '../auth/throttle.ts';
import type { EventHub } from '../activity/hub.ts';

/** What createApp is given; features read it from `c.var.deps`. */
export interface AppDeps {
  db: Db;
  logger: Logger;
  assets: AssetStore;
  /** The Salt connection, pollers and event hub; may be absent in tests that need none. */
  runtime?: Runtime;
  /** The activity EventHub (ring + SSE subscribers); lives as long as the process, Salt or not. */
  hub?: EventHub;
  /** How Salt clients made inside a request reach salt-api (the Node entry passes its TLS-capable transport). */
  saltTransport?: SaltTransportFactory;
  /** The clock; tests inject one. */
  now?: () => Date;
}

export interface AppEnv {
  Variables: {
    settings: Settings;
    deps: AppDeps;
    requestId: string;
    log: Logger;
    auth: AuthState;
    permissionCache: PermissionCache;
    loginThrottle: LoginThrottle;
  };
}
