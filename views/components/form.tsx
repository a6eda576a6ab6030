/** @module Form pieces shared by every feature: labelled fields with their error, the CSRF field. */

export interface FieldProps {
  label: string;
  name: string;
  type?: string;
  value?: string | number | null;
  error?: string;
  required?: boolean;
  autocomplete?: string;
  placeholder?: string;
  hint?: string;
  min?: number;
  max?: number;
}

/** A labelled input with its validation message under it. */
export function Field(p: FieldProps): string {
  const id = `f-${p.name}`;
  return (
    <label for={id}>
      <span safe>{p.label}</span>
      <input
        id={id}
        name={p.name}
        type={p.type ?? 'text'}
        value={p.value === null || p.value === undefined ? undefined : String(p.value)}
        required={p.required}
        autocomplete={p.autocomplete}
        placeholder={p.placeholder}
        min={p.min === undefined ? undefined : String(p.min)}
        max={p.max === undefined ? undefined : String(p.max)}
        aria-invalid={p.error ? 'true' : undefined}
      />
      {p.hint ? (
        <span class="muted" safe>
          {p.hint}
        </span>
      ) : (
        ''
      )}
      {p.error ? (
        <span class="field-error" safe>
          {p.error}
        </span>
      ) : (
        ''
      )}
    </label>
  ) as string;
}

/** The hidden anti-forgery field for plain (non-htmx) form posts. */
export function CsrfField({ token }: { token: string | null }): string {
  return token ? ((<input type="hidden" name="_csrf" value={token} />) as string) : '';
}

/** A form-level error line. */
export function FormError({ message }: { message?: string | null }): string {
  return message ? ((<p class="alert alert-error" role="alert" safe>{message}</p>) as string) : '';
}
