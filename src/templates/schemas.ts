/**
 * @module
 * Templates (saved commands): the public shape, the list, and the create/update bodies. The
 * command fields are the run form's own (src/run/schemas.ts), so a template is saved from the form
 * as it stands and "use template" fills the same fields back.
 */
import { z } from '@hono/zod-openapi';
import { commandFields } from '../run/schemas.ts';

/** Checkboxes send "on" (or "true"); JSON sends a boolean. */
const formBool = z.preprocess((v) => (v === 'on' || v === 'true' ? true : v === 'false' || v === '' ? false : v), z.boolean({ error: 'must be true or false' }));

const name = z.string({ error: 'is required' }).trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters');
const description = z.string().trim().max(1000, 'must be at most 1000 characters');

export const Template = z
  .object({
    id: z.number().int(),
    name: z.string(),
    description: z.string(),
    owner_id: z.number().int(),
    owner: z.string(),
    mine: z.boolean().openapi({ description: 'Whether the caller owns it (only the owner edits or deletes)' }),
    is_shared: z.boolean(),
    target: z.string(),
    target_type: z.string(),
    fun: z.string(),
    args: z.array(z.unknown()),
    kwargs: z.record(z.string(), z.unknown()),
    batch: z.string().nullable(),
    timeout: z.number().int().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Template');
export type Template = z.infer<typeof Template>;

export const TemplateList = z.object({ data: z.array(Template), count: z.number().int() }).openapi('Templates');
export type TemplateList = z.infer<typeof TemplateList>;

export const TemplateCreate = z
  .object({ ...commandFields, name, description: description.optional(), is_shared: formBool.optional() })
  .openapi('TemplateCreate');
export type TemplateCreate = z.infer<typeof TemplateCreate>;

export const TemplateUpdate = z
  .object({
    name: name.optional(),
    description: description.optional(),
    is_shared: formBool.optional(),
    target: commandFields.target.optional(),
    target_type: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['glob', 'list', 'pcre', 'grain', 'grain_pcre', 'pillar', 'nodegroup', 'ipcidr', 'compound'], { error: 'must be one of glob, list, pcre, grain, grain_pcre, pillar, nodegroup, ipcidr, compound' }).optional()),
    fun: commandFields.fun.optional(),
    args: commandFields.args,
    kwargs: commandFields.kwargs,
    args_text: commandFields.args_text,
    kwargs_text: commandFields.kwargs_text,
    batch: z.union([z.null(), commandFields.batch]).optional().openapi({ description: 'null clears it' }),
    timeout: z.union([z.null(), commandFields.timeout]).optional().openapi({ description: 'null clears it' }),
  })
  .openapi('TemplateUpdate');
export type TemplateUpdate = z.infer<typeof TemplateUpdate>;

export const TemplateIdParam = z.object({
  id: z.coerce.number({ error: 'must be a number' }).int('must be an integer').positive('must be positive').openapi({ param: { name: 'id', in: 'path' } }),
});
