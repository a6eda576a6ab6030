/**
 * @module
 * The Settings API and page (admin only, `edit:settings:*`): read and partially update the runtime
 * settings, apply them with `runtime.reload(db)` without a restart, and test a salt-api connection
 * with submitted or stored values. Every save and test is audited, the password never included.
 */
import type { Context } from 'hono';
import { createRouter } from '../http/router.ts';
import { pageRoute, secureRoute } from '../http/route.ts';
import { perm } from '../auth/access.ts';
import { respond } from '../http/respond.ts';
import { faceOf } from '../http/negotiate.ts';
import { renderPage } from '../http/page.ts';
import { addNavEntry } from '../http/nav.ts';
import { fieldErrors, validationProblem } from '../http/validation.ts';
import type { AppEnv } from '../http/env.ts';
import { audit } from '../audit/service.ts';
import { SaltTestResultView, SettingsView } from '../../views/settings/settings.tsx';
import {
  AppSettings, AppSettingsUpdate, SaltConnectionTest, SaltConnectionTestResult, SettingsFormBody, formToObject,
} from './schemas.ts';
import {
  configProblem, loadRuntimeSettings, publicSettings, readSettingsRow, testConfigFrom, testSaltConnection, updateSettings,
} from './service.ts';
import type { z } from '@hono/zod-openapi';

/** Who may see and change the settings. */
export const SETTINGS_ACCESS = perm('edit', 'settings:*');

/** How long a save waits for the new connection's first login before answering. */
const RELOAD_WAIT_MS = 10_000;

addNavEntry({ key: 'settings', label: 'Settings', href: '/settings', verb: 'edit', resource: 'settings:*', section: 'admin' });

const body = <S extends z.ZodType>(schema: S, description: string) => ({
  description,
  content: { 'application/json': { schema }, 'application/x-www-form-urlencoded': { schema: SettingsFormBody } },
});

const getSettings = secureRoute(SETTINGS_ACCESS, {
  method: 'get',
  path: '/api/admin/settings',
  tags: ['settings'],
  summary: 'The runtime settings (never the password) and the live Salt connection status',
  responses: {
    200: { description: 'The settings', content: { 'application/json': { schema: AppSettings }, 'text/html': { schema: { type: 'string' } } } },
  },
});

const putSettings = secureRoute(SETTINGS_ACCESS, {
  method: 'put',
  path: '/api/admin/settings',
  tags: ['settings'],
  summary: 'Change some settings (only the fields sent) and apply them without a restart',
  request: { body: body(AppSettingsUpdate, 'The fields to change, as JSON or the Settings form') },
  responses: {
    200: { description: 'Saved and applied', content: { 'application/json': { schema: AppSettings }, 'text/html': { schema: { type: 'string' } } } },
  },
});

const testSalt = secureRoute(SETTINGS_ACCESS, {
  method: 'post',
  path: '/api/admin/settings/test-salt',
  tags: ['settings'],
  summary: 'Try a salt-api connection with the submitted values, without saving them (login, then wheel key.list_all)',
  request: { body: body(SaltConnectionTest, 'The connection to try; no password means the stored one') },
  responses: {
    200: { description: 'What worked and what did not', content: { 'application/json': { schema: SaltConnectionTestResult }, 'text/html': { schema: { type: 'string' } } } },
  },
});

const testSaltSaved = secureRoute(SETTINGS_ACCESS, {
  method: 'post',
  path: '/api/admin/settings/test-salt-saved',
  tags: ['settings'],
  summary: 'Try the stored salt-api connection',
  responses: {
    200: { description: 'What worked and what did not', content: { 'application/json': { schema: SaltConnectionTestResult }, 'text/html': { schema: { type: 'string' } } } },
  },
});

function secretKey(c: Context<AppEnv>): string {
  const key = c.var.settings.secretKey;
  if (!key) throw new Error('HALITE_SECRET_KEY is not set (src/server.ts sets a development key before createApp)');
  return key;
}

/** The public settings with the runtime's live status. */
async function currentSettings(c: Context<AppEnv>): Promise<AppSettings> {
  const { db, runtime } = c.var.deps;
  return publicSettings(await readSettingsRow(db), secretKey(c), {
    salt: runtime?.status() ?? null,
    pollers: runtime?.pollerStatus?.() ?? [],
  });
}

const isForm = (c: Context) => /^(application\/x-www-form-urlencoded|multipart\/form-data)/.test(c.req.header('Content-Type') ?? '');

/** The body as JSON (already validated by the route) or as a form (converted, then validated here). */
function parseBody<S extends z.ZodType>(c: Context, schema: S, json: unknown, form: unknown) {
  if (!isForm(c)) return { ok: true as const, data: json as z.output<S>, raw: {} as Record<string, unknown> };
  const raw = formToObject(form as Record<string, string>);
  const parsed = schema.safeParse(raw);
  return parsed.success ? { ok: true as const, data: parsed.data as z.output<S>, raw } : { ok: false as const, error: parsed.error, raw };
}

/** Applies the saved settings, waiting a bounded time for the first login. */
async function applySettings(c: Context<AppEnv>): Promise<string | null> {
  const { runtime, db } = c.var.deps;
  if (!runtime?.reload) return null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([runtime.reload(db), new Promise((resolve) => (timer = setTimeout(resolve, RELOAD_WAIT_MS)))]);
    return null;
  } catch (e) {
    c.var.log.error('settings saved but not applied', { error: (e as Error).message });
    return 'The settings were saved but could not be applied; see the server log.';
  } finally {
    clearTimeout(timer);
  }
}

export const settingsRoutes = createRouter();

settingsRoutes.openapi(getSettings, async (c) =>
  respond(c, { schema: AppSettings, data: await currentSettings(c), view: (s) => SettingsView({ settings: s }), title: 'Settings', active: 'settings' }),
);

settingsRoutes.openapi(putSettings, async (c) => {
  const parsed = parseBody(c, AppSettingsUpdate, c.req.valid('json'), c.req.valid('form'));
  if (!parsed.ok) {
    const fields = fieldErrors(parsed.error);
    if (faceOf(c) !== 'fragment') return validationProblem(c, fields);
    const errors: Record<string, string> = {};
    for (const f of fields) errors[f.field] ??= f.message;
    return c.html(SettingsView({ settings: await currentSettings(c), values: parsed.raw, errors }), 422);
  }
  const patch = parsed.data;
  const user = c.var.auth.user;
  const { row, changed } = await updateSettings(c.var.deps.db, secretKey(c), patch, user?.username ?? null, c.var.deps.now?.());
  // The audit keeps what changed, never the password itself (nor a whole CA bundle).
  const { salt_api_password: _pw, clear_password: _clear, ...rest } = patch;
  const payload: Record<string, unknown> = { changed, ...rest };
  if (typeof rest.salt_api_ca_bundle === 'string') payload.salt_api_ca_bundle = `(${rest.salt_api_ca_bundle.length} characters)`;
  await audit(c, { action: 'settings.update', resource: 'settings:app', decision: 'ok', payload, detail: changed.length ? `changed ${changed.join(', ')}` : 'no change' });
  const problemText = await applySettings(c);
  c.var.log.info('settings saved', { changed, by: row.updatedBy });
  const settings = await currentSettings(c);
  const notice = changed.length ? `Saved (${changed.length} change${changed.length > 1 ? 's' : ''}) and applied.` : 'Nothing changed; the connection was restarted.';
  return respond(c, {
    schema: AppSettings,
    data: settings,
    view: (s) => SettingsView({ settings: s, notice: problemText ? null : notice, error: problemText }),
    title: 'Settings',
    active: 'settings',
  });
});

settingsRoutes.openapi(testSalt, async (c) => {
  const parsed = parseBody(c, SaltConnectionTest, c.req.valid('json'), c.req.valid('form'));
  let result: SaltConnectionTestResult;
  if (!parsed.ok) {
    const fields = fieldErrors(parsed.error);
    if (faceOf(c) !== 'fragment') return validationProblem(c, fields);
    result = configProblem(null, fields.map((f) => `${f.field}: ${f.message}`).join('; '));
    return c.html(SaltTestResultView(result), 422);
  }
  const config = await testConfigFrom(c.var.deps.db, secretKey(c), parsed.data);
  result = 'error' in config ? configProblem(parsed.data.salt_api_url, config.error) : await testSaltConnection(config, { transport: c.var.deps.saltTransport });
  await audit(c, { action: 'settings.test_salt', resource: 'settings:app', decision: result.ok ? 'ok' : 'error', detail: result.url });
  return respond(c, { schema: SaltConnectionTestResult, data: result, view: SaltTestResultView, title: 'Connection test' });
});

settingsRoutes.openapi(testSaltSaved, async (c) => {
  const stored = await loadRuntimeSettings(c.var.deps.db, secretKey(c));
  const url = (await readSettingsRow(c.var.deps.db)).saltApiUrl;
  const result = stored.salt ? await testSaltConnection(stored.salt, { transport: c.var.deps.saltTransport }) : configProblem(url, stored.missing ?? 'Salt is not configured.');
  await audit(c, { action: 'settings.test_salt', resource: 'settings:app', decision: result.ok ? 'ok' : 'error', detail: url });
  return respond(c, { schema: SaltConnectionTestResult, data: result, view: SaltTestResultView, title: 'Connection test' });
});

pageRoute(settingsRoutes, '/settings', SETTINGS_ACCESS, async (c) =>
  c.html(await renderPage(c, { title: 'Settings', active: 'settings', content: SettingsView({ settings: await currentSettings(c) }) })),
);
