/**
 * @module
 * The runtime settings service: read and partially update the single `app_settings` row, load the
 * decrypted Salt configuration for RuntimeConfig, and test a salt-api connection without saving.
 * The password only ever leaves this module decrypted toward the salt client, never toward a page.
 */
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/types.ts';
import { APP_SETTINGS_DEFAULTS, appSettings, type AppSettingsRow } from './model.ts';
import { decryptSecret, encryptSecret, UNDECRYPTABLE_MESSAGE } from './crypto.ts';
import type { AppSettings, AppSettingsUpdate, PollerStatus, SaltConnectionTest, SaltConnectionTestResult } from './schemas.ts';
import type { SaltStatus } from '../runtime-types.ts';
import { describeSaltFailure, openSaltConnection, type SaltClientOverrides, type SaltConnectionConfig } from './salt-connection.ts';
import type { SaltTransportFactory } from '../salt/transport.ts';

/** The four poll intervals by their API names. */
export type PollIntervalKey = 'minions_poll_interval_s' | 'jobs_poll_interval_s' | 'fleet_poll_interval_s' | 'inventory_poll_interval_s';

/** Everything RuntimeConfig needs from the row, decrypted. */
export interface RuntimeSettings {
  /** Null when URL, username or a readable password is missing. */
  salt: SaltConnectionConfig | null;
  /** Why `salt` is null, for the status line. */
  missing: string | null;
  intervals: Record<PollIntervalKey, number>;
  eventStreamEnabled: boolean;
  jobsRetentionDays: number;
  activityRetentionDays: number;
  runConfirmThreshold: number;
}

/** The row, created with the defaults the first time anyone asks. */
export async function readSettingsRow(db: Db): Promise<AppSettingsRow> {
  const rows = await db.select().from(appSettings).where(eq(appSettings.id, 1));
  if (rows[0]) return rows[0];
  await db.insert(appSettings).values({ id: 1 }).onConflictDoNothing();
  const again = await db.select().from(appSettings).where(eq(appSettings.id, 1));
  return again[0]!;
}

/** The public shape: every field but the password, which is reported as set / not set / unreadable. */
export async function publicSettings(
  row: AppSettingsRow,
  secretKey: string,
  runtime: { salt: SaltStatus | null; pollers: PollerStatus[] } = { salt: null, pollers: [] },
): Promise<AppSettings> {
  const undecryptable = row.saltApiPasswordEnc ? !(await decryptSecret(secretKey, row.saltApiPasswordEnc)).ok : false;
  return {
    salt_api_url: row.saltApiUrl,
    salt_api_eauth: row.saltApiEauth,
    salt_api_username: row.saltApiUsername,
    salt_api_password_set: row.saltApiPasswordEnc !== null && !undecryptable,
    salt_api_password_undecryptable: undecryptable,
    minions_poll_interval_s: row.minionsPollIntervalS,
    jobs_poll_interval_s: row.jobsPollIntervalS,
    fleet_poll_interval_s: row.fleetPollIntervalS,
    inventory_poll_interval_s: row.inventoryPollIntervalS,
    event_stream_enabled: row.eventStreamEnabled,
    salt_api_verify_tls: row.saltApiVerifyTls,
    salt_api_ca_bundle: row.saltApiCaBundle,
    salt_api_timeout_s: row.saltApiTimeoutS,
    jobs_retention_days: row.jobsRetentionDays,
    activity_retention_days: row.activityRetentionDays,
    fleet_stale_after_days: row.fleetStaleAfterDays,
    run_confirm_threshold: row.runConfirmThreshold,
    updated_at: row.updatedAt ? row.updatedAt.toISOString() : null,
    updated_by: row.updatedBy,
    runtime: {
      salt: runtime.salt
        ? { state: runtime.salt.state, message: runtime.salt.message, since: runtime.salt.since, next_retry_at: runtime.salt.nextRetryAt }
        : null,
      pollers: runtime.pollers,
    },
  };
}

// API name → column, for the plain fields of a PUT.
const COLUMNS = {
  salt_api_eauth: 'saltApiEauth',
  minions_poll_interval_s: 'minionsPollIntervalS',
  jobs_poll_interval_s: 'jobsPollIntervalS',
  fleet_poll_interval_s: 'fleetPollIntervalS',
  inventory_poll_interval_s: 'inventoryPollIntervalS',
  event_stream_enabled: 'eventStreamEnabled',
  salt_api_verify_tls: 'saltApiVerifyTls',
  salt_api_timeout_s: 'saltApiTimeoutS',
  jobs_retention_days: 'jobsRetentionDays',
  activity_retention_days: 'activityRetentionDays',
  fleet_stale_after_days: 'fleetStaleAfterDays',
  run_confirm_threshold: 'runConfirmThreshold',
} as const satisfies Partial<Record<keyof AppSettingsUpdate, keyof AppSettingsRow>>;

// Text fields where "" means "none".
const NULLABLE_TEXT = {
  salt_api_url: 'saltApiUrl',
  salt_api_username: 'saltApiUsername',
  salt_api_ca_bundle: 'saltApiCaBundle',
} as const satisfies Partial<Record<keyof AppSettingsUpdate, keyof AppSettingsRow>>;

/** The result of a save: the row and the API names of the fields that actually changed. */
export interface SettingsUpdateResult {
  row: AppSettingsRow;
  changed: string[];
}

/**
 * Applies a validated partial update: only the fields sent change. The password: left out or ""
 * keeps it, a string replaces it (encrypted), `null` or `clear_password: true` clears it.
 */
export async function updateSettings(
  db: Db,
  secretKey: string,
  patch: AppSettingsUpdate,
  by: string | null,
  now: Date = new Date(),
): Promise<SettingsUpdateResult> {
  const current = await readSettingsRow(db);
  const values: Partial<AppSettingsRow> = {};
  const changed: string[] = [];
  for (const [name, column] of Object.entries(COLUMNS) as [keyof typeof COLUMNS, (typeof COLUMNS)[keyof typeof COLUMNS]][]) {
    const v = patch[name];
    if (v === undefined || v === current[column]) continue;
    (values as Record<string, unknown>)[column] = v;
    changed.push(name);
  }
  for (const [name, column] of Object.entries(NULLABLE_TEXT) as [keyof typeof NULLABLE_TEXT, (typeof NULLABLE_TEXT)[keyof typeof NULLABLE_TEXT]][]) {
    const v = patch[name];
    if (v === undefined) continue;
    const next = v === null || v.trim() === '' ? null : name === 'salt_api_ca_bundle' ? v : v.trim();
    if (next === current[column]) continue;
    values[column] = next;
    changed.push(name);
  }
  if (patch.clear_password === true || patch.salt_api_password === null) {
    if (current.saltApiPasswordEnc !== null) {
      values.saltApiPasswordEnc = null;
      changed.push('salt_api_password');
    }
  } else if (typeof patch.salt_api_password === 'string' && patch.salt_api_password !== '') {
    values.saltApiPasswordEnc = await encryptSecret(secretKey, patch.salt_api_password);
    changed.push('salt_api_password');
  }
  if (changed.length === 0) return { row: current, changed };
  const [row] = await db
    .update(appSettings)
    .set({ ...values, updatedAt: now, updatedBy: by })
    .where(eq(appSettings.id, 1))
    .returning();
  return { row: row!, changed };
}

/** Reads the row and decrypts what RuntimeConfig needs. */
export async function loadRuntimeSettings(db: Db, secretKey: string): Promise<RuntimeSettings> {
  const row = await readSettingsRow(db);
  let password: string | null = null;
  let missing: string | null = null;
  if (row.saltApiPasswordEnc) {
    const d = await decryptSecret(secretKey, row.saltApiPasswordEnc);
    if (d.ok) password = d.value;
    else missing = UNDECRYPTABLE_MESSAGE;
  }
  if (!row.saltApiUrl) missing = 'No salt-api URL is set.';
  else if (!row.saltApiUsername) missing = 'No salt-api username is set.';
  else if (password === null) missing ??= 'No salt-api password is set.';
  return {
    salt:
      missing === null
        ? {
            url: row.saltApiUrl!,
            eauth: row.saltApiEauth,
            username: row.saltApiUsername!,
            password: password!,
            verifyTls: row.saltApiVerifyTls,
            caBundle: row.saltApiCaBundle,
            timeoutMs: row.saltApiTimeoutS * 1000,
          }
        : null,
    missing,
    intervals: {
      minions_poll_interval_s: row.minionsPollIntervalS,
      jobs_poll_interval_s: row.jobsPollIntervalS,
      fleet_poll_interval_s: row.fleetPollIntervalS,
      inventory_poll_interval_s: row.inventoryPollIntervalS,
    },
    eventStreamEnabled: row.eventStreamEnabled,
    jobsRetentionDays: row.jobsRetentionDays,
    activityRetentionDays: row.activityRetentionDays,
    runConfirmThreshold: row.runConfirmThreshold,
  };
}

/** The defaults, for a page rendered before the database answers. */
export const DEFAULT_INTERVALS: Record<PollIntervalKey, number> = {
  minions_poll_interval_s: APP_SETTINGS_DEFAULTS.minionsPollIntervalS,
  jobs_poll_interval_s: APP_SETTINGS_DEFAULTS.jobsPollIntervalS,
  fleet_poll_interval_s: APP_SETTINGS_DEFAULTS.fleetPollIntervalS,
  inventory_poll_interval_s: APP_SETTINGS_DEFAULTS.inventoryPollIntervalS,
};

/**
 * Tests a connection: log in, then one cheap call (wheel `key.list_all`: no minion round trip).
 * Never throws; each step says what worked or salt-api's own words for what did not. Retries are
 * off so the answer comes within the timeout.
 */
export async function testSaltConnection(
  config: SaltConnectionConfig,
  o: { overrides?: SaltClientOverrides; now?: () => number; transport?: SaltTransportFactory } = {},
): Promise<SaltConnectionTestResult> {
  const now = o.now ?? Date.now;
  const conn = openSaltConnection(config, { overrides: { maxRetries: 0, ...o.overrides }, transport: o.transport });
  const steps: SaltConnectionTestResult['steps'] = [];
  try {
    let t = now();
    try {
      const token = await conn.client.login();
      const perms = Array.isArray(token.perms) ? token.perms : [];
      steps.push({
        step: 'login',
        label: `Log in as ${config.username} (eauth ${config.eauth})`,
        ok: true,
        ms: Math.round(now() - t),
        message: perms.length
          ? `Logged in; permissions: ${perms.map(String).join(', ')}`
          : 'Logged in, but salt-api granted no permissions: every call will be refused. Check external_auth in the master config.',
      });
    } catch (e) {
      steps.push({ step: 'login', label: `Log in as ${config.username} (eauth ${config.eauth})`, ok: false, ms: Math.round(now() - t), message: describeSaltFailure(e).message });
      return { ok: false, url: config.url, steps };
    }
    t = now();
    try {
      const keys = (await conn.client.wheelCall('key.list_all')) as Record<string, unknown>;
      const count = (k: string) => (Array.isArray(keys?.[k]) ? (keys[k] as unknown[]).length : 0);
      steps.push({
        step: 'call',
        label: 'Call wheel key.list_all',
        ok: true,
        ms: Math.round(now() - t),
        message: `${count('minions')} accepted, ${count('minions_pre')} pending, ${count('minions_rejected')} rejected, ${count('minions_denied')} denied keys`,
      });
    } catch (e) {
      steps.push({ step: 'call', label: 'Call wheel key.list_all', ok: false, ms: Math.round(now() - t), message: describeSaltFailure(e).message });
      return { ok: false, url: config.url, steps };
    }
    await conn.client.logout().catch(() => {});
    return { ok: true, url: config.url, steps };
  } finally {
    await conn.destroy();
  }
}

/**
 * The connection config of a test request: submitted values, with the stored password when none
 * was typed (so an admin can test a new URL without retyping the secret).
 */
export async function testConfigFrom(db: Db, secretKey: string, body: SaltConnectionTest): Promise<SaltConnectionConfig | { error: string }> {
  let password = body.salt_api_password ?? '';
  if (password === '') {
    const row = await readSettingsRow(db);
    if (!row.saltApiPasswordEnc) return { error: 'No password was entered and none is stored.' };
    const d = await decryptSecret(secretKey, row.saltApiPasswordEnc);
    if (!d.ok) return { error: UNDECRYPTABLE_MESSAGE };
    password = d.value;
  }
  return {
    url: body.salt_api_url,
    eauth: body.salt_api_eauth,
    username: body.salt_api_username,
    password,
    verifyTls: body.salt_api_verify_tls,
    caBundle: body.salt_api_ca_bundle?.trim() ? body.salt_api_ca_bundle : null,
    timeoutMs: body.salt_api_timeout_s * 1000,
  };
}

/** A test result for a configuration that cannot even be tried. */
export function configProblem(url: string | null, message: string): SaltConnectionTestResult {
  return { ok: false, url, steps: [{ step: 'config', label: 'Read the settings', ok: false, ms: null, message }] };
}

// Kept for callers that want the raw count of rows (tests assert the single-row constraint).
export const countSettingsRows = async (db: Db): Promise<number> =>
  Number((await db.select({ n: sql<number>`count(*)` }).from(appSettings))[0]?.n ?? 0);
