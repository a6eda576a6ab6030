/**
 * @module
 * The run form and its fragments: the function list for autocomplete, a function's docs shown
 * beside the form, and the preview ("this will run on N minions") with the confirmation it needs.
 * The preview is swapped inside the form, so its confirmation inputs and the Run button post with
 * the form's fields.
 */
import type { FunctionDoc, FunctionList, RunPreview } from '../../src/run/schemas.ts';
import { TARGET_TYPES } from '../../src/run/schemas.ts';

/** What the form shows: empty, or filled from a template. */
export interface RunFormValues {
  target: string;
  target_type: string;
  fun: string;
  args_text: string;
  kwargs_text: string;
  batch: string;
  timeout: string;
}

export const EMPTY_RUN_FORM: RunFormValues = { target: '', target_type: 'glob', fun: 'test.ping', args_text: '', kwargs_text: '', batch: '', timeout: '' };

export interface TemplateLink {
  id: number;
  name: string;
  owner: string;
  mine: boolean;
}

/** The page body: templates to start from, the form, the docs panel and the result area. */
export interface RunPageProps {
  values: RunFormValues;
  templates: TemplateLink[];
  /** May save templates (`create` on `template:*`). */
  canSave: boolean;
  /** May read the function list and docs (`view` on `salt:functions`); else the form asks for neither. */
  canListFunctions: boolean;
  from?: string | null;
}

export function RunPage({ values, templates, canSave, canListFunctions, from }: RunPageProps): string {
  return (
    <div class="run-page">
      {templates.length > 0 ? (
        <nav class="toolbar" aria-label="Templates">
          <span class="muted">Use a template:</span>
          {templates.map((t) => (
            <a href={`/run?template=${t.id}`} class="button" title={t.mine ? 'yours' : `shared by ${t.owner}`} safe>
              {t.name}
            </a>
          ))}
        </nav>
      ) : (
        ''
      )}
      {from ? (
        <p class="muted">
          Filled from the template <strong safe>{from}</strong>.
        </p>
      ) : (
        ''
      )}
      <div class="run-layout">
        <form id="run-form" method="post" action="/api/run" hx-post="/api/run" hx-target="#run-result" hx-swap="innerHTML">
          <fieldset>
            <legend>Target</legend>
            <label for="f-target">
              <span>Target</span>
              <input id="f-target" name="target" required value={values.target} placeholder="web* or web01,web02" autocomplete="off" />
            </label>
            <label for="f-target_type">
              <span>Target type</span>
              <select id="f-target_type" name="target_type">
                {TARGET_TYPES.map((t) => (
                  <option value={t} selected={t === values.target_type}>
                    {t}
                  </option>
                ))}
              </select>
            </label>
          </fieldset>
          <fieldset>
            <legend>Command</legend>
            <label for="f-fun">
              <span>Function</span>
              <input
                id="f-fun"
                name="fun"
                required
                value={values.fun}
                list="salt-functions"
                autocomplete="off"
                hx-get={canListFunctions ? '/api/salt/doc' : undefined}
                hx-trigger={canListFunctions ? 'change, load' : undefined}
                hx-include={canListFunctions ? 'this' : undefined}
                hx-target={canListFunctions ? '#run-doc' : undefined}
                hx-swap={canListFunctions ? 'innerHTML' : undefined}
              />
            </label>
            {canListFunctions ? (
              <datalist id="salt-functions" hx-get="/api/salt/functions" hx-trigger="load" hx-target="this" hx-swap="outerHTML"></datalist>
            ) : (
              ''
            )}
            <label for="f-args_text">
              <span>Arguments (one per line)</span>
              <textarea id="f-args_text" name="args_text" rows="3" safe>
                {values.args_text}
              </textarea>
            </label>
            <label for="f-kwargs_text">
              <span>Keyword arguments (key=value, one per line)</span>
              <textarea id="f-kwargs_text" name="kwargs_text" rows="3" safe>
                {values.kwargs_text}
              </textarea>
            </label>
            <label for="f-batch">
              <span>Batch (count or %)</span>
              <input id="f-batch" name="batch" value={values.batch} placeholder="all at once" size="8" />
            </label>
            <label for="f-timeout">
              <span>Timeout (s)</span>
              <input id="f-timeout" name="timeout" type="number" min="1" value={values.timeout} size="6" />
            </label>
          </fieldset>
          <div class="toolbar">
            <button type="button" class="primary" hx-post="/api/run/preview" hx-include="#run-form" hx-target="#run-preview" hx-swap="innerHTML">
              Preview
            </button>
            {canSave ? (
              <>
                <input name="name" placeholder="template name" aria-label="Template name" />
                <label>
                  <input type="checkbox" name="is_shared" value="true" /> shared
                </label>
                <button type="button" hx-post="/api/templates" hx-include="#run-form" hx-target="#run-result" hx-swap="innerHTML">
                  Save as template
                </button>
              </>
            ) : (
              ''
            )}
          </div>
          <div id="run-preview" aria-live="polite"></div>
        </form>
        <aside id="run-doc" class="run-doc" aria-live="polite"></aside>
      </div>
      <div id="run-result"></div>
    </div>
  ) as string;
}

/** The preview: the count, the first ids, the danger warning, the confirmation and the Run button. */
export function RunPreviewView({ p }: { p: RunPreview }): string {
  const shown = p.minions.slice(0, 50);
  return (
    <div class="run-preview" data-count={String(p.count)} data-confirmation={p.confirmation}>
      <p>
        This will run <code safe>{p.fun}</code> on <strong id="run-preview-count">{p.count}</strong> minion{p.count === 1 ? '' : 's'}
        <span class="muted"> ({p.source === 'snapshot' ? 'matched against the minion snapshot' : 'as the master resolved the target'})</span>.
      </p>
      {shown.length ? (
        <p class="muted">
          <span safe>{shown.join(', ')}</span>
          {p.count > shown.length ? ` and ${p.count - shown.length} more` : ''}
        </p>
      ) : (
        <p class="alert alert-warn">No minion matches this target: nothing would run.</p>
      )}
      {p.danger_reason ? (
        <p class="alert alert-warn" role="alert" safe>
          {p.danger_reason}
        </p>
      ) : (
        ''
      )}
      {p.confirmation === 'type_count' ? (
        <label for="f-confirm_count">
          <span>
            More than {p.threshold} minions: type <strong>{p.count}</strong> to confirm
          </span>
          <input id="f-confirm_count" name="confirm_count" inputmode="numeric" autocomplete="off" required />
        </label>
      ) : p.confirmation === 'confirm' ? (
        <label>
          <input type="checkbox" name="confirm" value="true" required /> I understand; run it
        </label>
      ) : (
        ''
      )}
      <button type="submit" class={p.confirmation === 'none' ? 'primary' : 'danger'} disabled={p.count === 0}>
        Run on {p.count} minion{p.count === 1 ? '' : 's'}
      </button>
    </div>
  ) as string;
}

/** The `<datalist>` of every function name (replaces the empty one in the form). */
export function FunctionDatalist({ list }: { list: FunctionList }): string {
  return (
    <datalist id="salt-functions" data-count={String(list.count)}>
      {list.data.map((f) => (
        <option value={f} />
      ))}
    </datalist>
  ) as string;
}

/** A function's docstring, shown beside the form. */
export function FunctionDocView({ doc }: { doc: FunctionDoc }): string {
  return (
    <div class="function-doc">
      <h3>
        <code safe>{doc.name}</code>
      </h3>
      {doc.doc ? <pre safe>{doc.doc}</pre> : <p class="muted">No documentation on the minion for this function.</p>}
      <p class="muted">
        From <span safe>{doc.asked}</span> (sys.doc)
      </p>
    </div>
  ) as string;
}
