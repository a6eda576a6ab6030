/**
 * @module
 * The API shapes of the runtime settings, in the names the issue and the API use (snake_case).
 * `AppSettings` is what GET answers (never the password: only whether one is set);
 * `AppSettingsUpdate` is a partial PUT: a field left out keeps its value.
 */
import { z } from '@hono/zod-openapi';

/** The eauth backends salt-api ships with; `auto` is Salt's own catch-all for `external_auth`. */
export const EAUTH_BACKENDS = ['auto', 'pam', 'ldap', 'sharedsecret', 'file', 'mysql', 'django', 'rest', 'keystone', 'yubico', 'kerberos'] as const;

/** One week: a longer poll interval would make the data staler than anyone could want. */
export const MAX_POLL_INTERVAL_S = 7 * 24 * 3600;
/** Shorter intervals than this would hammer salt-api with a big fleet. */
export const MIN_POLL_INTERVAL_S = 5;

const pollInterval = z
  .number({ error: 'must be a number of seconds' })
  .int('must be a whole number of seconds')
  .min(0, 'must be 0 (off) or more')
  .max(MAX_POLL_INTERVAL_S, `must be at most ${MAX_POLL_INTERVAL_S} s (a week)`)
  .refine((v) => v === 0 || v >= MIN_POLL_INTERVAL_S, `must be 0 (off) or at least ${MIN_POLL_INTERVAL_S} s`);

const days = z.number({ error: 'must be a number of days' }).int('must be whole days').min(1, 'must be at least 1 day').max(3650, 'must be at most 3650 days');

export const saltApiUrl = z
  .string()
  .trim()
  .max(2048, 'is too long')
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'http:' || u.protocol === 'https:') && !!u.hostname && !u.username && !u.password;
    } catch {
      return false;
    }
  }, 'must be an http:// or https:// URL without credentials, e.g. https://salt.example:8000');

const caBundle = z
  .string()
  .max(256 * 1024, 'is larger than 256 KiB')
  .refine((v) => v.trim() === '' || v.includes('-----BEGIN CERTIFICATE-----'), 'must be PEM certificates (-----BEGIN CERTIFICATE-----)');

export const eauth = z.enum(EAUTH_BACKENDS, { error: `must be one of ${EAUTH_BACKENDS.join(', ')}` });
export const timeoutS = z.number({ error: 'must be a number of seconds' }).int('must be whole seconds').min(1, 'must be at least 1 s').max(600, 'must be at most 600 s');
const username = z.string().trim().max(256, 'is too long');

/** The editable fields and their rules, shared by the update and the test-connection bodies. */
export const fieldRules = {
  salt_api_url: saltApiUrl,
  salt_api_eauth: eauth,
  salt_api_username: username,
  minions_poll_interval_s: pollInterval,
  jobs_poll_interval_s: pollInterval,
  fleet_poll_interval_s: pollInterval,
  inventory_poll_interval_s: pollInterval,
  event_stream_enabled: z.boolean({ error: 'must be true or false' }),
  salt_api_verify_tls: z.boolean({ error: 'must be true or false' }),
  salt_api_ca_bundle: caBundle,
  salt_api_timeout_s: timeoutS,
  jobs_retention_days: days,
  activity_retention_days: days,
  fleet_stale_after_days: days,
  run_confirm_threshold: z.number({ error: 'must be a number' }).int('must be a whole number').min(0, 'must be 0 or more').max(1_000_000, 'is too large'),
};

export const PollerStatus = z
  .object({
    name: z.string().openapi({ example: 'minions' }),
    interval_s: z.number().int().openapi({ description: '0 when the poller is off' }),
    running: z.boolean(),
    last_success_at: z.string().nullable(),
    last_duration_ms: z.number().int().nullable(),
    last_error_at: z.string().nullable(),
    last_error: z.string().nullable(),
    stale: z.boolean().openapi({ description: 'Older than three intervals or ten minutes' }),
  })
  .openapi('PollerStatus');
export type PollerStatus = z.infer<typeof PollerStatus>;

export const SaltStatusBody = z
  .object({
    state: z.enum(['unconfigured', 'connecting', 'ok', 'login_failed', 'unreachable']),
    message: z.string().nullable(),
    since: z.string(),
    next_retry_at: z.string().nullable(),
  })
  .openapi('SaltStatus');

export const AppSettings = z
  .object({
    salt_api_url: z.string().nullable(),
    salt_api_eauth: z.string(),
    salt_api_username: z.string().nullable(),
    salt_api_password_set: z.boolean().openapi({ description: 'The password itself is write-only' }),
    salt_api_password_undecryptable: z
      .boolean()
      .openapi({ description: 'A password is stored but no longer decrypts (HALITE_SECRET_KEY changed): enter it again' }),
    minions_poll_interval_s: z.number().int(),
    jobs_poll_interval_s: z.number().int(),
    fleet_poll_interval_s: z.number().int(),
    inventory_poll_interval_s: z.number().int(),
    event_stream_enabled: z.boolean(),
    salt_api_verify_tls: z.boolean(),
    salt_api_ca_bundle: z.string().nullable(),
    salt_api_timeout_s: z.number().int(),
    jobs_retention_days: z.number().int(),
    activity_retention_days: z.number().int(),
    fleet_stale_after_days: z.number().int(),
    run_confirm_threshold: z.number().int(),
    updated_at: z.string().nullable(),
    updated_by: z.string().nullable(),
    runtime: z
      .object({ salt: SaltStatusBody.nullable(), pollers: z.array(PollerStatus) })
      .openapi({ description: 'Read-only: the live Salt connection and pollers' }),
  })
  .openapi('AppSettings');
export type AppSettings = z.infer<typeof AppSettings>;

export const AppSettingsUpdate = z
  .object({
    ...Object.fromEntries(Object.entries(fieldRules).map(([k, v]) => [k, v.optional()])),
    salt_api_url: z.literal('').or(saltApiUrl).nullable().optional().openapi({ description: 'null or "" clears it' }),
    salt_api_username: username.nullable().optional(),
    salt_api_ca_bundle: caBundle.nullable().optional(),
    salt_api_password: z
      .string()
      .max(1024, 'is too long')
      .nullable()
      .optional()
      .openapi({ description: 'Write-only. Left out or "": unchanged. null: cleared.' }),
    clear_password: z.boolean().optional().openapi({ description: 'true clears the stored password' }),
  } as {
    [K in keyof typeof fieldRules]: z.ZodOptional<(typeof fieldRules)[K]>;
  } & {
    salt_api_url: z.ZodOptional<z.ZodNullable<z.ZodUnion<[z.ZodLiteral<''>, typeof saltApiUrl]>>>;
    salt_api_username: z.ZodOptional<z.ZodNullable<typeof username>>;
    salt_api_ca_bundle: z.ZodOptional<z.ZodNullable<typeof caBundle>>;
    salt_api_password: z.ZodOptional<z.ZodNullable<z.ZodString>>;
    clear_password: z.ZodOptional<z.ZodBoolean>;
  })
  .strict()
  .openapi('AppSettingsUpdate');
export type AppSettingsUpdate = z.infer<typeof AppSettingsUpdate>;

/** Values to try without saving; a missing password means "the stored one". */
export const SaltConnectionTest = z
  .object({
    salt_api_url: saltApiUrl,
    salt_api_eauth: eauth.default('auto'),
    salt_api_username: username.min(1, 'is required'),
    salt_api_password: z.string().max(1024).optional().openapi({ description: 'Omitted or "": use the stored password' }),
    salt_api_verify_tls: z.boolean().default(true),
    salt_api_ca_bundle: caBundle.nullable().optional(),
    salt_api_timeout_s: timeoutS.default(10),
  })
  .openapi('SaltConnectionTest');
export type SaltConnectionTest = z.infer<typeof SaltConnectionTest>;

export const SaltTestStep = z
  .object({
    step: z.enum(['config', 'login', 'call']),
    label: z.string(),
    ok: z.boolean(),
    ms: z.number().int().nullable(),
    message: z.string().openapi({ description: "What happened, with salt-api's own error text on failure" }),
  })
  .openapi('SaltTestStep');

export const SaltConnectionTestResult = z
  .object({ ok: z.boolean(), url: z.string().nullable(), steps: z.array(SaltTestStep) })
  .openapi('SaltConnectionTestResult');
export type SaltConnectionTestResult = z.infer<typeof SaltConnectionTestResult>;

/** The form face of both bodies: every value is text, converted by `formToObject`. */
export const SettingsFormBody = z.record(z.string(), z.string()).openapi('SettingsForm');

const BOOLEAN_FIELDS = new Set(['event_stream_enabled', 'salt_api_verify_tls', 'clear_password']);
const NUMBER_FIELDS = new Set([
  'minions_poll_interval_s', 'jobs_poll_interval_s', 'fleet_poll_interval_s', 'inventory_poll_interval_s',
  'salt_api_timeout_s', 'jobs_retention_days', 'activity_retention_days', 'fleet_stale_after_days', 'run_confirm_threshold',
]);

/**
 * Turns an HTML form into the JSON body: numbers parsed, checkboxes read. An unchecked checkbox
 * sends nothing, so the form carries a hidden `<name>__present` marker for each one: present
 * marker and no value means false; no marker means "not in this form" (unchanged).
 */
export function formToObject(form: Record<string, string | string[] | File | undefined>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const value = (k: string) => {
    const v = form[k];
    return Array.isArray(v) ? v[v.length - 1] : v;
  };
  for (const key of Object.keys(form)) {
    if (key.startsWith('_')) continue; // _csrf and other transport fields
    if (key.endsWith('__present')) {
      const name = key.slice(0, -'__present'.length);
      if (BOOLEAN_FIELDS.has(name)) out[name] = isOn(value(name));
      continue;
    }
    const v = value(key);
    if (typeof v !== 'string') continue;
    if (BOOLEAN_FIELDS.has(key)) out[key] = isOn(v);
    else if (NUMBER_FIELDS.has(key)) out[key] = v.trim() === '' ? v : Number(v);
    else out[key] = v;
  }
  return out;
}

function isOn(v: unknown): boolean {
  return v === 'on' || v === 'true' || v === '1' || v === 'yes';
}
