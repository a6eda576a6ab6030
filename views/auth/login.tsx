/** @module The sign-in form. */
import { Field, FormError } from '../components/form.tsx';

export interface LoginFormProps {
  username?: string;
  next?: string;
  error?: string | null;
  errors?: Record<string, string>;
}

/** Posts to the API route; htmx swaps the form in place on failure and follows HX-Redirect on success. */
export function LoginForm(p: LoginFormProps): string {
  return (
    <form id="login-form" class="stack" method="post" action="/api/auth/login" hx-post="/api/auth/login" hx-swap="outerHTML">
      <FormError message={p.error} />
      <Field label="Username" name="username" value={p.username} required autocomplete="username" error={p.errors?.username} />
      <Field label="Password" name="password" type="password" required autocomplete="current-password" error={p.errors?.password} />
      <input type="hidden" name="next" value={p.next ?? '/'} />
      <div>
        <button type="submit" class="primary">
          Sign in
        </button>
      </div>
    </form>
  ) as string;
}

export interface PasswordFormProps {
  forced: boolean;
  csrfToken: string | null;
  errors?: Record<string, string>;
  error?: string | null;
}

export function PasswordForm(p: PasswordFormProps): string {
  return (
    <form id="password-form" class="stack" method="post" action="/api/auth/password" hx-post="/api/auth/password" hx-swap="outerHTML">
      {p.forced ? (
        <p class="alert alert-warn">This account still has its initial password. Choose a new one to continue.</p>
      ) : (
        ''
      )}
      <FormError message={p.error} />
      {p.csrfToken ? <input type="hidden" name="_csrf" value={p.csrfToken} /> : ''}
      <Field label="Current password" name="current_password" type="password" required autocomplete="current-password" error={p.errors?.current_password} />
      <Field
        label="New password"
        name="new_password"
        type="password"
        required
        autocomplete="new-password"
        hint="At least 12 characters, not your username."
        error={p.errors?.new_password}
      />
      <div>
        <button type="submit" class="primary">
          Change password
        </button>
      </div>
    </form>
  ) as string;
}
