/** @module The minions routes' shapes: Minion, MinionDetail, MinionPage, SnapshotStatus, MinionQuery. */
import { z } from '@hono/zod-openapi';
import { Job } from '../jobs/schemas.ts';
import { INGEST_PARTS, KEY_STATUSES } from './model.ts';

export const KeyStatusSchema = z.enum(KEY_STATUSES).openapi('KeyStatus');

export const Minion = z
  .object({
    id: z.string().openapi({ example: 'web01' }),
    key_status: KeyStatusSchema,
    present: z.boolean().openapi({ description: 'Connected at the last presence poll (manage.present)' }),
    ip: z.string().nullable(),
    os: z.string().nullable().openapi({ example: 'Debian' }),
    osrelease: z.string().nullable(),
    kernel: z.string().nullable(),
    saltversion: z.string().nullable().openapi({ example: '3007.14' }),
    roles: z.array(z.string()),
    first_seen: z.string().openapi({ description: 'ISO 8601: when the key first appeared in the snapshot' }),
    last_seen: z.string().nullable().openapi({ description: 'ISO 8601: when the minion was last seen connected' }),
    updated_at: z.string().openapi({ description: 'ISO 8601: when the row last changed' }),
  })
  .openapi('Minion');
export type Minion = z.infer<typeof Minion>;

export const SnapshotPart = z
  .object({
    part: z.enum(INGEST_PARTS),
    last_success_at: z.string().nullable(),
    last_error_at: z.string().nullable(),
    last_error: z.string().nullable(),
  })
  .openapi('MinionSnapshotPart');

export const SnapshotStatus = z
  .object({
    updated_at: z.string().nullable().openapi({ description: 'The oldest part’s last success; null before the first full poll' }),
    stale: z.boolean().openapi({ description: 'Older than ten minutes, or never taken' }),
    parts: z.array(SnapshotPart),
  })
  .openapi('MinionSnapshotStatus');
export type SnapshotStatus = z.infer<typeof SnapshotStatus>;

export const MinionPage = z
  .object({
    data: z.array(Minion),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
    snapshot: SnapshotStatus,
  })
  .openapi('MinionPage');
export type MinionPage = z.infer<typeof MinionPage>;

export const MinionDetail = Minion.extend({
  grains: z.record(z.string(), z.unknown()),
  recent_jobs: z.array(Job),
}).openapi('MinionDetail');
export type MinionDetail = z.infer<typeof MinionDetail>;

export const MINION_SORTS = ['id', '-id', 'os', '-os', 'saltversion', '-saltversion', 'key_status', '-key_status', 'ip', '-ip', 'last_seen', '-last_seen'] as const;

const boolish = z.enum(['true', 'false']).transform((v) => v === 'true');

/** An empty form field ("any" in a filter menu) means the filter is not set. */
const blank = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema);

/** The list filters; the same query string drives the page, the fragment, the API and the exports. */
export const MinionQuery = z.object({
  key_status: blank(KeyStatusSchema.optional()),
  present: blank(boolish.optional()).openapi({ type: 'string', enum: ['true', 'false'] }),
  os: blank(z.string().max(200).optional()),
  saltversion: blank(z.string().max(200).optional()),
  role: blank(z.string().max(200).optional()),
  q: blank(z.string().max(200, 'must be at most 200 characters').optional()).openapi({ description: 'Free text over id, ip and grain values' }),
  sort: blank(z.enum(MINION_SORTS).default('id')),
  limit: blank(z.coerce.number().int().min(1, 'must be ≥ 1').max(500, 'must be ≤ 500').default(50)),
  offset: blank(z.coerce.number().int().min(0, 'must be ≥ 0').max(10_000_000).default(0)),
  format: blank(z.enum(['csv', 'json']).optional()).openapi({ description: 'Download every matching minion (limit and offset ignored)' }),
});
export type MinionQuery = z.infer<typeof MinionQuery>;

export const MinionIdParam = z.object({
  id: z.string().min(1).max(255).openapi({ param: { name: 'id', in: 'path' }, example: 'web01' }),
});

/** Distinct values for the filter menus. */
export interface MinionFacets {
  os: string[];
  saltversion: string[];
  roles: string[];
}
