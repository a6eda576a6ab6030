/** @module Users and roles: the API shapes. */
import { z } from '@hono/zod-openapi';
import { PermissionSchema } from '../auth/schemas.ts';

/** Forms send one value as a string and several as an array; JSON sends an array. */
const stringList = z.preprocess(
  (v) => (v === undefined || v === '' ? [] : typeof v === 'string' ? [v] : v),
  z.array(z.string().min(1)).max(50),
);
/** Checkboxes send "on" (or "true"); JSON sends a boolean. */
const formBool = z.preprocess((v) => (v === 'on' || v === 'true' ? true : v === 'false' ? false : v), z.boolean({ error: 'must be true or false' }));

export const UserPublic = z
  .object({
    id: z.number().int(),
    username: z.string(),
    display_name: z.string(),
    enabled: z.boolean(),
    must_change_pw: z.boolean(),
    roles: z.array(z.string()),
    created_at: z.string(),
    last_login_at: z.string().nullable(),
  })
  .openapi('User');

export const UsersPublic = z.object({ data: z.array(UserPublic), count: z.number().int() }).openapi('Users');

export const UserCreate = z
  .object({
    username: z
      .string()
      .trim()
      .min(1, 'is required')
      .max(64, 'must be at most 64 characters')
      .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]*$/, 'may contain letters, digits, . _ @ - and must start with a letter or digit'),
    display_name: z.string().trim().max(200, 'must be at most 200 characters').optional(),
    password: z.string().min(1, 'is required').max(512),
    roles: stringList,
    must_change_pw: formBool.optional(),
  })
  .openapi('UserCreate');

export const UserUpdate = z
  .object({
    enabled: formBool.optional(),
    display_name: z.string().trim().max(200, 'must be at most 200 characters').optional(),
    roles: stringList.optional(),
  })
  .openapi('UserUpdate');

export const PasswordReset = z.object({ password: z.string().min(1, 'is required').max(512) }).openapi('PasswordReset');

export const IdParam = z.object({
  id: z.coerce.number({ error: 'must be a number' }).int('must be an integer').positive('must be positive').openapi({ param: { name: 'id', in: 'path' } }),
});

/**
 * Permissions: JSON sends `[{verb, resource}]`; the form sends a textarea with one
 * `verb resource-glob` pair per line.
 */
const permissionList = z.preprocess(
  (v) => {
    if (typeof v !== 'string') return v;
    return v
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean)
      .map((l) => {
        const [verb, resource, ...rest] = l.split(/\s+/);
        return rest.length ? { verb: l, resource: '' } : { verb, resource: resource ?? '' };
      });
  },
  z
    .array(
      z.object({
        verb: z.string().regex(/^[a-z_*?]+$/, 'a verb is lower-case letters, _ or glob characters'),
        resource: z.string().min(1, 'each line needs a verb and a resource glob').max(200).regex(/^\S+$/, 'must not contain spaces'),
      }),
    )
    .max(200),
);

export const RolePublic = z
  .object({
    id: z.number().int(),
    name: z.string(),
    description: z.string(),
    builtin: z.boolean(),
    permissions: z.array(PermissionSchema),
  })
  .openapi('Role');

export const RolesPublic = z.object({ data: z.array(RolePublic), count: z.number().int() }).openapi('Roles');

export const RoleCreate = z
  .object({
    name: z
      .string()
      .trim()
      .min(1, 'is required')
      .max(64)
      .regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, _ and -'),
    description: z.string().trim().max(300).optional(),
    permissions: permissionList,
  })
  .openapi('RoleCreate');

export const RolePermissionsSet = z.object({ permissions: permissionList }).openapi('RolePermissions');
