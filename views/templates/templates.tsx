/**
 * @module
 * Templates: the list (use, share or unshare, delete — the last two for your own only) and the
 * notice shown when the run form saves one.
 */
import type { Template, TemplateList } from '../../src/templates/schemas.ts';

function TemplateRowView({ t }: { t: Template }): string {
  return (
    <tr id={`template-${t.id}`}>
      <td>
        <strong safe>{t.name}</strong>
        {t.description ? (
          <div class="muted" safe>
            {t.description}
          </div>
        ) : (
          ''
        )}
      </td>
      <td>
        <code safe>{t.fun}</code>
      </td>
      <td>
        <code safe>{t.target}</code> <span class="muted" safe>{t.target_type}</span>
      </td>
      <td safe>{t.mine ? 'you' : t.owner}</td>
      <td>{t.is_shared ? <span class="badge badge-ok">shared</span> : <span class="badge">private</span>}</td>
      <td class="actions">
        <a class="button" href={`/run?template=${t.id}`}>
          Use
        </a>
        {t.mine ? (
          <>
            {' '}
            <button
              type="button"
              hx-patch={`/api/templates/${t.id}`}
              hx-vals={JSON.stringify({ is_shared: t.is_shared ? 'false' : 'true' })}
              hx-target={`#template-${t.id}`}
              hx-swap="outerHTML"
            >
              {t.is_shared ? 'Unshare' : 'Share'}
            </button>{' '}
            <button
              type="button"
              class="danger"
              hx-delete={`/api/templates/${t.id}`}
              hx-confirm={`Delete the template "${t.name}"?`}
              hx-target={`#template-${t.id}`}
              hx-swap="outerHTML"
            >
              Delete
            </button>
          </>
        ) : (
          ''
        )}
      </td>
    </tr>
  ) as string;
}

/** One row (the fragment a share toggle swaps back). */
export function TemplateRow({ t }: { t: Template }): string {
  return TemplateRowView({ t });
}

/** The table of templates. */
export function TemplateListView({ list }: { list: TemplateList }): string {
  if (list.count === 0) {
    return (
      <p id="templates" class="muted">
        No templates yet. Save one from the <a href="/run">Run</a> form.
      </p>
    ) as string;
  }
  return (
    <table id="templates" class="table">
      <thead>
        <tr>
          <th>Name</th>
          <th>Function</th>
          <th>Target</th>
          <th>Owner</th>
          <th>Visibility</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        {list.data.map((t) => (
          <TemplateRowView t={t} />
        ))}
      </tbody>
    </table>
  ) as string;
}

/** After saving from the run form. */
export function TemplateSaved({ t }: { t: Template }): string {
  return (
    <div class="alert alert-ok" role="status" data-template-id={String(t.id)}>
      Saved the template <strong safe>{t.name}</strong> ({t.is_shared ? 'shared' : 'private'}). <a href="/templates">All templates</a>
    </div>
  ) as string;
}

/** What a deleted row becomes. */
export function TemplateDeleted({ t }: { t: Template }): string {
  return (
    <tr id={`template-${t.id}`}>
      <td colspan="6" class="muted">
        Deleted <span safe>{t.name}</span>.
      </td>
    </tr>
  ) as string;
}
