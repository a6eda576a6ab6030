/** @module The keys routes' shapes: KeyEntry, KeyList, KeyActionResult, KeyIdParam, KeyAcceptMany. */
import { z } from '@hono/zod-openapi';
import { KeyStatusSchema } from '../minions/schemas.ts';

/**
 * A key id as the path carries it. Salt reads `match` as a glob and splits it at commas, so
 * `*`, `?`, `[`, `]` and `,` would act on other keys: they are refused.
 */
export const KeyId = z
  .string()
  .min(1, 'is required')
  .max(255, 'must be at most 255 characters')
  .regex(/^[^*?[\]!,\s]+$/, 'may not contain glob characters (* ? [ ] !), commas or spaces');

export const KeyIdParam = z.object({ id: KeyId.openapi({ param: { name: 'id', in: 'path' }, example: 'db01' }) });

export const KeyEntry = z
  .object({
    id: z.string(),
    status: KeyStatusSchema,
    fingerprint: z.string().nullable().openapi({ description: 'SHA-256 fingerprint from wheel key.finger; null when read from the snapshot' }),
  })
  .openapi('KeyEntry');
export type KeyEntry = z.infer<typeof KeyEntry>;

export const KeyList = z
  .object({
    source: z.enum(['live', 'snapshot']).openapi({ description: 'live: wheel key.finger now; snapshot: the last poll (Salt unavailable)' }),
    message: z.string().nullable().openapi({ description: 'Why the snapshot was used' }),
    accepted: z.array(KeyEntry),
    pending: z.array(KeyEntry),
    rejected: z.array(KeyEntry),
    denied: z.array(KeyEntry),
  })
  .openapi('KeyList');
export type KeyList = z.infer<typeof KeyList>;

export const KeyActionName = z.enum(['accept', 'reject', 'delete']).openapi('KeyActionName');
export type KeyActionName = z.infer<typeof KeyActionName>;

export const KeyActionResult = z
  .object({
    action: KeyActionName,
    changed: z.array(z.object({ id: z.string(), status: KeyStatusSchema.nullable().openapi({ description: 'null: deleted' }) })),
    unchanged: z.array(z.object({ id: z.string(), status: KeyStatusSchema.nullable().openapi({ description: 'null: no such key' }), reason: z.string() })),
  })
  .openapi('KeyActionResult');
export type KeyActionResult = z.infer<typeof KeyActionResult>;

/** Forms send one checkbox as a string and several as an array; JSON sends an array. */
export const KeyAcceptMany = z
  .object({
    ids: z.preprocess(
      (v) => (v === undefined || v === '' ? [] : typeof v === 'string' ? [v] : v),
      z.array(KeyId).min(1, 'select at least one key').max(1000, 'at most 1000 keys at once'),
    ),
  })
  .openapi('KeyAcceptMany');
