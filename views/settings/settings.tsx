/** @module The Settings page: the salt-api connection, pollers and retention, the runtime status, the connection test. */
import { Field, FormError } from '../components/form.tsx';
import type { AppSettings, SaltConnectionTestResult } from '../../src/settings/schemas.ts';
import { EAUTH_BACKENDS } from '../../src/settings/schemas.ts';
import { UNDECRYPTABLE_MESSAGE } from '../../src/settings/crypto.ts';

export interface SettingsViewProps {
  settings: AppSettings;
  /** Submitted values shown again after a validation failure. */
  values?: Record<string, unknown>;
  errors?: Record<string, string>;
  error?: string | null;
  notice?: string | null;
}

const STATE_LABEL: Record<string, { text: string; badge: string }> = {
  unconfigured: { text: 'not configured', badge: 'badge-warn' },
  connecting: { text: 'connecting', badge: 'badge-warn' },
  ok: { text: 'connected', badge: 'badge-ok' },
  login_failed: { text: 'login failed', badge: 'badge-err' },
  unreachable: { text: 'unreachable', badge: 'badge-err' },
};

/** The whole settings fragment (form, status, test result slot). */
export function SettingsView(p: SettingsViewProps): string {
  return (
    <section id="settings">
      <RuntimeStatus settings={p.settings} />
      <SettingsForm {...p} />
    </section>
  ) as string;
}

/** The live status; re-fetches itself every 10 s (only this part is swapped). */
export function RuntimeStatus({ settings }: { settings: AppSettings }): string {
  const salt = settings.runtime.salt;
  const label = salt ? STATE_LABEL[salt.state] : STATE_LABEL.unconfigured;
  return (
    <div id="runtime-status" hx-get="/api/admin/settings" hx-trigger="every 10s" hx-select="#runtime-status" hx-swap="outerHTML">
      <h2>Salt connection</h2>
      <p>
        <span class={`badge ${label!.badge}`} id="salt-state" safe>
          {label!.text}
        </span>{' '}
        {salt ? (
          <span class="muted">
            since <time datetime={salt.since} safe>{salt.since}</time>
          </span>
        ) : (
          ''
        )}
      </p>
      {salt?.message ? (
        <p id="salt-message" safe>
          {salt.message}
        </p>
      ) : (
        ''
      )}
      {salt?.next_retry_at ? (
        <p class="muted">
          Next attempt at <time datetime={salt.next_retry_at} safe>{salt.next_retry_at}</time>
        </p>
      ) : (
        ''
      )}
      {settings.runtime.pollers.length > 0 ? (
        <table id="pollers">
          <thead>
            <tr>
              <th>Poller</th>
              <th class="num">Every</th>
              <th>Last success</th>
              <th>Last error</th>
            </tr>
          </thead>
          <tbody>
            {settings.runtime.pollers.map((pl) => (
              <tr id={`poller-${pl.name}`}>
                <td safe>{pl.name}</td>
                <td class="num">{pl.interval_s > 0 ? `${pl.interval_s} s` : 'off'}</td>
                <td>
                  {pl.last_success_at ? <time datetime={pl.last_success_at} safe>{pl.last_success_at}</time> : <span class="muted">never</span>}
                  {pl.stale ? <span class="badge badge-warn"> stale</span> : ''}
                  {pl.running ? <span class="badge"> running</span> : ''}
                </td>
                <td>
                  {pl.last_error ? (
                    <span title={pl.last_error_at ?? ''} safe>
                      {pl.last_error}
                    </span>
                  ) : (
                    ''
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        ''
      )}
    </div>
  ) as string;
}

function Checkbox({ name, label, checked }: { name: string; label: string; checked: boolean }): string {
  return (
    <label class="check">
      <input type="hidden" name={`${name}__present`} value="1" />
      <span>
        <input type="checkbox" name={name} checked={checked} /> <span safe>{label}</span>
      </span>
    </label>
  ) as string;
}

/** The form: PUT by htmx (only what is in it changes); the password is write-only. */
export function SettingsForm(p: SettingsViewProps): string {
  const s = p.settings;
  const v = (k: keyof AppSettings): string | number | null => {
    const sub = p.values?.[k];
    if (sub !== undefined && sub !== null && typeof sub !== 'object') return String(sub);
    const cur = s[k];
    return typeof cur === 'string' || typeof cur === 'number' ? cur : null;
  };
  const bool = (k: 'event_stream_enabled' | 'salt_api_verify_tls') => (p.values && k in p.values ? p.values[k] === true : s[k]);
  const e = p.errors ?? {};
  const eauth = String(v('salt_api_eauth') ?? 'auto');
  const passwordHint = s.salt_api_password_undecryptable
    ? UNDECRYPTABLE_MESSAGE
    : s.salt_api_password_set
      ? 'A password is stored. Leave empty to keep it.'
      : 'No password is stored.';
  return (
    <form id="settings-form" class="stack" hx-put="/api/admin/settings" hx-target="#settings" hx-swap="outerHTML">
      {p.notice ? (
        <p class="alert alert-ok" role="status" safe>
          {p.notice}
        </p>
      ) : (
        ''
      )}
      <FormError message={p.error} />
      <h2>salt-api</h2>
      <Field label="URL" name="salt_api_url" value={v('salt_api_url')} placeholder="https://salt.example:8000" error={e.salt_api_url} />
      <label for="f-salt_api_eauth">
        <span>eauth</span>
        <select id="f-salt_api_eauth" name="salt_api_eauth">
          {EAUTH_BACKENDS.map((b) => (
            <option value={b} selected={b === eauth}>
              {b}
            </option>
          ))}
        </select>
        {e.salt_api_eauth ? <span class="field-error" safe>{e.salt_api_eauth}</span> : ''}
      </label>
      <Field label="Username" name="salt_api_username" value={v('salt_api_username')} autocomplete="off" error={e.salt_api_username} />
      <label for="f-salt_api_password">
        <span>Password</span>
        <input id="f-salt_api_password" name="salt_api_password" type="password" autocomplete="new-password" />
        <span class={s.salt_api_password_undecryptable ? 'field-error' : 'muted'} id="password-state">
          {passwordHint}
        </span>
        {e.salt_api_password ? <span class="field-error" safe>{e.salt_api_password}</span> : ''}
      </label>
      {s.salt_api_password_set || s.salt_api_password_undecryptable ? (
        <Checkbox name="clear_password" label="Forget the stored password" checked={false} />
      ) : (
        ''
      )}
      <Checkbox name="salt_api_verify_tls" label="Verify salt-api's TLS certificate" checked={bool('salt_api_verify_tls')} />
      <label for="f-salt_api_ca_bundle">
        <span>CA bundle (PEM, optional)</span>
        <textarea id="f-salt_api_ca_bundle" name="salt_api_ca_bundle" rows="4" safe>
          {String(v('salt_api_ca_bundle') ?? '')}
        </textarea>
        {e.salt_api_ca_bundle ? <span class="field-error" safe>{e.salt_api_ca_bundle}</span> : ''}
      </label>
      <Field label="Request timeout (s)" name="salt_api_timeout_s" type="number" min={1} max={600} value={v('salt_api_timeout_s')} error={e.salt_api_timeout_s} />
      <div class="toolbar">
        <button type="button" hx-post="/api/admin/settings/test-salt" hx-include="#settings-form" hx-target="#salt-test-result" hx-swap="innerHTML">
          Test connection
        </button>
        <button type="button" hx-post="/api/admin/settings/test-salt-saved" hx-target="#salt-test-result" hx-swap="innerHTML">
          Test saved settings
        </button>
        <span class="spinner">testing…</span>
      </div>
      <div id="salt-test-result" aria-live="polite"></div>
      <h2>Pollers (seconds, 0 = off)</h2>
      <Field label="Minions" name="minions_poll_interval_s" type="number" min={0} value={v('minions_poll_interval_s')} error={e.minions_poll_interval_s} />
      <Field label="Jobs" name="jobs_poll_interval_s" type="number" min={0} value={v('jobs_poll_interval_s')} error={e.jobs_poll_interval_s} />
      <Field label="Fleet" name="fleet_poll_interval_s" type="number" min={0} value={v('fleet_poll_interval_s')} error={e.fleet_poll_interval_s} />
      <Field label="Inventory" name="inventory_poll_interval_s" type="number" min={0} value={v('inventory_poll_interval_s')} error={e.inventory_poll_interval_s} />
      <Checkbox name="event_stream_enabled" label="Follow the salt-api event stream (/events)" checked={bool('event_stream_enabled')} />
      <h2>Retention and safety</h2>
      <Field label="Keep jobs (days)" name="jobs_retention_days" type="number" min={1} value={v('jobs_retention_days')} error={e.jobs_retention_days} />
      <Field label="Keep activity (days)" name="activity_retention_days" type="number" min={1} value={v('activity_retention_days')} error={e.activity_retention_days} />
      <Field label="Fleet: stale after (days without a state run)" name="fleet_stale_after_days" type="number" min={1} value={v('fleet_stale_after_days')} error={e.fleet_stale_after_days} />
      <Field
        label="Confirm runs targeting more than (minions)"
        name="run_confirm_threshold"
        type="number"
        min={0}
        value={v('run_confirm_threshold')}
        error={e.run_confirm_threshold}
      />
      <div>
        <button type="submit" class="primary">
          Save
        </button>
      </div>
      {s.updated_by ? (
        <p class="muted">
          Last saved by <span safe>{s.updated_by}</span> at <time datetime={s.updated_at ?? ''} safe>{s.updated_at ?? ''}</time>
        </p>
      ) : (
        ''
      )}
    </form>
  ) as string;
}

/** The step-by-step result of a connection test. */
export function SaltTestResultView(r: SaltConnectionTestResult): string {
  return (
    <div id="salt-test" class={`alert ${r.ok ? 'alert-ok' : 'alert-error'}`} role="status" data-ok={String(r.ok)}>
      <strong>{r.ok ? 'Connection works' : 'Connection failed'}</strong>
      {r.url ? (
        <span class="muted" safe>
          {` ${r.url}`}
        </span>
      ) : (
        ''
      )}
      <ul>
        {r.steps.map((st) => (
          <li data-step={st.step} data-ok={String(st.ok)}>
            <span class={`badge ${st.ok ? 'badge-ok' : 'badge-err'}`}>{st.ok ? 'ok' : 'failed'}</span> <span safe>{st.label}</span>
            {st.ms !== null ? (
              <span class="muted" safe>
                {` (${st.ms} ms)`}
              </span>
            ) : (
              ''
            )}: <span safe>{st.message}</span>
          </li>
        ))}
      </ul>
    </div>
  ) as string;
}
