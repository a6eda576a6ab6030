/** @module The users page: the list with per-user actions, and the create form. */
import type { z } from '@hono/zod-openapi';
import type { UserPublic, UsersPublic } from '../../src/users/schemas.ts';
import { Field, FormError } from '../components/form.tsx';

type User = z.infer<typeof UserPublic>;

export function UserRow({ user, roles }: { user: User; roles: string[] }): string {
  return (
    <tr id={`user-${user.id}`}>
      <td safe>{user.username}</td>
      <td safe>{user.display_name}</td>
      <td>
        <form hx-patch={`/api/users/${user.id}`} hx-target={`#user-${user.id}`} hx-swap="outerHTML" class="inline">
          <select name="roles" multiple="multiple" size="3" aria-label={`roles of ${user.username}`}>
            {roles.map((r) => (
              <option value={r} selected={user.roles.includes(r)} safe>
                {r}
              </option>
            ))}
          </select>
          <button type="submit">Save roles</button>
        </form>
      </td>
      <td>
        {user.enabled ? <span class="badge badge-ok">enabled</span> : <span class="badge badge-err">disabled</span>}
        {user.must_change_pw ? <span class="badge badge-warn">must change password</span> : ''}
      </td>
      <td class="muted" safe>
        {user.last_login_at ?? 'never'}
      </td>
      <td>
        <button
          hx-patch={`/api/users/${user.id}`}
          hx-vals={JSON.stringify({ enabled: user.enabled ? 'false' : 'true' })}
          hx-target={`#user-${user.id}`}
          hx-swap="outerHTML"
          hx-confirm={user.enabled ? `Disable ${user.username}? Their sessions end now.` : undefined}
          class={user.enabled ? 'danger' : undefined}
        >
          {user.enabled ? 'Disable' : 'Enable'}
        </button>{' '}
        <form hx-post={`/api/users/${user.id}/password`} hx-target={`#user-${user.id}`} hx-swap="outerHTML" hx-confirm={`Reset the password of ${user.username}? Their sessions end now.`} class="inline">
          <input type="password" name="password" placeholder="new password" autocomplete="new-password" aria-label={`new password for ${user.username}`} />
          <button type="submit">Reset password</button>
        </form>
      </td>
    </tr>
  ) as string;
}

export function UsersTable({ users, roles }: { users: z.infer<typeof UsersPublic>; roles: string[] }): string {
  return (
    <table id="users-table">
      <thead>
        <tr>
          <th>Username</th>
          <th>Display name</th>
          <th>Roles</th>
          <th>Status</th>
          <th>Last sign-in</th>
          <th>Actions</th>
        </tr>
      </thead>
      <tbody>
        {users.data.map((u) => (
          <UserRow user={u} roles={roles} />
        ))}
      </tbody>
    </table>
  ) as string;
}

export interface UserFormProps {
  roles: string[];
  values?: Record<string, unknown>;
  errors?: Record<string, string>;
  error?: string | null;
  created?: string | null;
}

export function UserCreateForm(p: UserFormProps): string {
  const v = p.values ?? {};
  return (
    <form id="user-create" class="stack" hx-post="/api/users" hx-swap="outerHTML">
      <h2>Add a user</h2>
      {p.created ? (
        <p class="alert alert-ok" safe>
          {`Created ${p.created}. They choose their own password at first sign-in.`}
        </p>
      ) : (
        ''
      )}
      <FormError message={p.error} />
      <Field label="Username" name="username" required value={v.username as string} error={p.errors?.username} />
      <Field label="Display name" name="display_name" value={v.display_name as string} error={p.errors?.display_name} />
      <Field label="Initial password" name="password" type="password" required autocomplete="new-password" hint="At least 12 characters; the user must change it at first sign-in." error={p.errors?.password} />
      <label>
        <span>Roles</span>
        <select name="roles" multiple="multiple" size="3">
          {p.roles.map((r) => (
            <option value={r} safe>
              {r}
            </option>
          ))}
        </select>
        {p.errors?.roles ? (
          <span class="field-error" safe>
            {p.errors.roles}
          </span>
        ) : (
          ''
        )}
      </label>
      <div>
        <button type="submit" class="primary">
          Add user
        </button>
      </div>
    </form>
  ) as string;
}
