/**
 * @module
 * What the HTTP layer needs from the RuntimeConfig: the current Salt client and its status.
 * Kept apart from src/runtime.ts so routes depend on the shape, not on the pollers behind it.
 */
import type { SaltApiClient } from './salt/client.ts';
import type { Db } from './db/types.ts';
import type { PollerStatus } from './settings/schemas.ts';

export type SaltConnectionState = 'unconfigured' | 'connecting' | 'ok' | 'login_failed' | 'unreachable';

/** The Salt connection as the status banner and /readyz report it. */
export interface SaltStatus {
  state: SaltConnectionState;
  /** salt-api's own reason when login failed, or the network error. */
  message: string | null;
  /** ISO time since when the state holds. */
  since: string;
  /** ISO time of the next login attempt, when one is scheduled. */
  nextRetryAt: string | null;
}

/** The part of RuntimeConfig routes use. */
export interface Runtime {
  /** The current client, or null when Salt is unconfigured or login failed. */
  readonly salt: SaltApiClient | null;
  status(): SaltStatus;
  /** Applies the settings stored in `db` without a restart (RuntimeConfig; fakes may omit it). */
  reload?(db: Db): Promise<void>;
  /** Each poller's last success, last error and staleness (RuntimeConfig; fakes may omit it). */
  pollerStatus?(): PollerStatus[];
  /** Tells the runtime a route's Salt call failed, so the status reflects an outage at once. */
  noteSaltFailure?(e: unknown): void;
}
