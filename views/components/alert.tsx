/** @module Alerts: error and notice boxes used in fragments and pages. */

export interface ErrorAlertProps {
  title: string;
  body: { error: string; message: string; fields?: { field: string; message: string }[]; request_id?: string };
}

/** An error box. `role="alert"` so screen readers announce it when htmx swaps it in. */
export function ErrorAlert({ title, body }: ErrorAlertProps): string {
  return (
    <div class="alert alert-error" role="alert" data-error={body.error}>
      <strong safe>{title}</strong>
      <p safe>{body.message}</p>
      {body.fields && body.fields.length > 0 ? (
        <ul>
          {body.fields.map((f) => (
            <li>
              <code safe>{f.field}</code>: <span safe>{f.message}</span>
            </li>
          ))}
        </ul>
      ) : (
        ''
      )}
      {body.request_id ? (
        <p class="muted">
          Request id <code safe>{body.request_id}</code>
        </p>
      ) : (
        ''
      )}
    </div>
  ) as string;
}

/** A neutral notice. */
export function Notice({ children, kind = 'info' }: { children: JSX.Element; kind?: 'info' | 'warn' | 'ok' }): string {
  return (<div class={`alert alert-${kind}`}>{children}</div>) as string;
}
