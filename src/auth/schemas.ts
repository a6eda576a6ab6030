/** @module The auth routes' request and response shapes. */
import { z } from '@hono/zod-openapi';

export const LoginBody = z
  .object({
    username: z.string().trim().min(1, 'is required').max(200, 'is too long'),
    password: z.string().min(1, 'is required').max(512, 'is too long'),
    next: z.string().optional(),
  })
  .openapi('LoginRequest');

export const PermissionSchema = z.object({ verb: z.string(), resource: z.string() }).openapi('Permission');

export const Me = z
  .object({
    id: z.number().int(),
    username: z.string(),
    display_name: z.string(),
    must_change_pw: z.boolean(),
    permissions: z.array(PermissionSchema),
    csrf_token: z.string().openapi({ description: 'Send as X-CSRF-Token on every state-changing request' }),
  })
  .openapi('Me');

export const PasswordBody = z
  .object({
    current_password: z.string().min(1, 'is required').max(512),
    new_password: z.string().min(1, 'is required').max(512),
  })
  .openapi('PasswordChange');

export const Ok = z.object({ ok: z.literal(true) }).openapi('Ok');
