/**
 * Types shared by the salt-api client and its callers, named after salt-api's own words.
 *
 * @module
 */

/** The login reply of `POST /login` (`return[0]`), as recorded from Salt 3007. */
export interface SaltToken {
  /** 40-hex CherryPy session id; sent as `X-Auth-Token`, on /events too (3007.15+ refuses its `?token=`). */
  token: string;
  /** Epoch seconds (float) when Salt stops accepting the token. */
  expire: number;
  /** Epoch seconds (float) when the token was minted. */
  start: number;
  user: string;
  eauth: string;
  /** A sorted list of permissions, or `{}` (a dict) when the user has none. */
  perms: string[] | Record<string, unknown>;
}

/** One event from salt-api's `/events` stream; `tag` comes from the JSON, not the `tag:` line. */
export interface SaltEvent {
  tag: string;
  data: Record<string, unknown>;
}

/** The minimal logger the client writes to. It never receives passwords or tokens. */
export interface SaltLogger {
  warn(msg: string, fields?: object): void;
  info(msg: string, fields?: object): void;
}

/** Options for `local` / `local_async` / `local_batch` calls. */
export interface LocalCallOptions {
  arg?: unknown[];
  kwarg?: Record<string, unknown>;
  /** Salt's `tgt_type` (glob, list, grain, compound, ...); defaults to `list` for an array target. */
  tgtType?: string;
  /** Salt's own job timeout in seconds (how long the master waits for minions). */
  timeout?: number;
  /** `full_return: true` makes each minion's value `{ret, retcode, jid[, out]}`. */
  fullReturn?: boolean;
}

/** Options for `local_async` (and `local_batch`, where `batch` is required). */
export interface LocalAsyncOptions extends LocalCallOptions {
  /** Salt's batch size, e.g. `'10'` or `'25%'`. */
  batch?: string;
}

/** What `local_async` answers: the new job id and the minions it was published to. */
export interface LocalAsyncResult {
  jid: string;
  minions: string[];
}

/** Connection state of the event stream, for the activity feature to display. */
export type SaltEventStreamState = 'connecting' | 'connected' | 'reconnecting';

/** A status change of the event stream; `error` and `delayMs` are set when reconnecting. */
export interface SaltEventStreamStatus {
  state: SaltEventStreamState;
  /** Why the previous connection ended or failed (a drop, a 401, an unreachable salt-api). */
  error?: Error;
  /** How long the reader waits before the next attempt. */
  delayMs?: number;
  /** Consecutive failed attempts so far (0 on the first connect). */
  attempt: number;
}

/** Options of `streamEvents()`. */
export interface StreamEventsOptions {
  /** Stops the stream cleanly (the iterator returns) when aborted. */
  signal?: AbortSignal;
  /** Called on every connection state change. */
  onStatus?: (status: SaltEventStreamStatus) => void;
}
