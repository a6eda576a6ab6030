/** @module The roles page: every role with its permissions; custom roles can be edited and deleted. */
import type { z } from '@hono/zod-openapi';
import type { RolePublic, RolesPublic } from '../../src/users/schemas.ts';
import { Field, FormError } from '../components/form.tsx';

type Role = z.infer<typeof RolePublic>;

const permissionText = (r: Role) => r.permissions.map((p) => `${p.verb} ${p.resource}`).join('\n');

export function RoleRow({ role, errors }: { role: Role; errors?: Record<string, string> }): string {
  return (
    <tr id={`role-${role.id}`}>
      <td>
        <strong safe>{role.name}</strong>
        {role.builtin ? <span class="badge">built-in</span> : ''}
        <div class="muted" safe>
          {role.description}
        </div>
      </td>
      <td>
        {role.builtin ? (
          <pre safe>{permissionText(role)}</pre>
        ) : (
          <form hx-post={`/api/roles/${role.id}/permissions`} hx-target={`#role-${role.id}`} hx-swap="outerHTML" class="stack">
            <textarea name="permissions" rows="4" cols="40" aria-label={`permissions of ${role.name}`} safe>
              {permissionText(role)}
            </textarea>
            {errors?.permissions ? (
              <span class="field-error" safe>
                {errors.permissions}
              </span>
            ) : (
              ''
            )}
            <div>
              <button type="submit">Save permissions</button>
            </div>
          </form>
        )}
      </td>
      <td>
        {role.builtin ? (
          ''
        ) : (
          <button
            class="danger"
            hx-delete={`/api/roles/${role.id}`}
            hx-target={`#role-${role.id}`}
            hx-swap="outerHTML"
            hx-confirm={`Delete the role ${role.name}? Users holding it lose its permissions now.`}
          >
            Delete
          </button>
        )}
      </td>
    </tr>
  ) as string;
}

export function RolesTable({ roles }: { roles: z.infer<typeof RolesPublic> }): string {
  return (
    <table id="roles-table">
      <thead>
        <tr>
          <th>Role</th>
          <th>Permissions (verb resource-glob)</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        {roles.data.map((r) => (
          <RoleRow role={r} />
        ))}
      </tbody>
    </table>
  ) as string;
}

export function RoleCreateForm(p: { values?: Record<string, unknown>; errors?: Record<string, string>; error?: string | null; created?: string | null }): string {
  const v = p.values ?? {};
  const permissions: string = typeof v.permissions === 'string' ? v.permissions : '';
  return (
    <form id="role-create" class="stack" hx-post="/api/roles" hx-swap="outerHTML">
      <h2>Add a role</h2>
      {p.created ? (
        <p class="alert alert-ok" safe>
          {`Created the role ${p.created}. Reload to see it in the table.`}
        </p>
      ) : (
        ''
      )}
      <FormError message={p.error} />
      <Field label="Name" name="name" required value={v.name as string} error={p.errors?.name} />
      <Field label="Description" name="description" value={v.description as string} error={p.errors?.description} />
      <label>
        <span>Permissions, one per line: verb resource-glob (e.g. "run salt:test.*", "view job:*")</span>
        <textarea name="permissions" rows="5" safe>
          {permissions}
        </textarea>
        {p.errors?.permissions ? (
          <span class="field-error" safe>
            {p.errors.permissions}
          </span>
        ) : (
          ''
        )}
      </label>
      <p class="muted">
        <code>*</code> matches within one <code>:</code>-separated part; <code>**</code> matches across parts.
      </p>
      <div>
        <button type="submit" class="primary">
          Add role
        </button>
      </div>
    </form>
  ) as string;
}
