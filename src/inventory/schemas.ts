/** @module The inventory routes' shapes: InventoryPackage(Page), PackageVersions, the version search, the breakdown. */
import { z } from '@hono/zod-openapi';
import { PACKAGE_SOURCES } from './model.ts';
import { VERSION_OPERATORS } from './version.ts';

export const PackageSourceSchema = z.enum(PACKAGE_SOURCES).openapi('PackageSource', {
  description: 'Package format from the os_family grain: deb (Debian family, dpkg ordering), rpm (RedHat/Suse, rpmvercmp), other',
});

export const InventoryPackage = z
  .object({
    minion_id: z.string().openapi({ example: 'web0001' }),
    name: z.string().openapi({ example: 'openssl' }),
    version: z.string().openapi({ example: '3.0.11-1~deb12u2' }),
    source: PackageSourceSchema,
  })
  .openapi('InventoryPackage');
export type InventoryPackage = z.infer<typeof InventoryPackage>;

export const InventoryStatus = z
  .object({
    minions: z.number().int().openapi({ description: 'Minions with a stored package set' }),
    updated_at: z.string().nullable().openapi({ description: 'ISO 8601: the latest change of any package set' }),
  })
  .openapi('InventoryStatus');
export type InventoryStatus = z.infer<typeof InventoryStatus>;

export const InventoryPackagePage = z
  .object({
    data: z.array(InventoryPackage),
    total: z.number().int().openapi({ description: 'Matching rows, counted up to `total_cap`' }),
    total_capped: z.boolean().openapi({ description: 'True when there are more than `total` matches' }),
    limit: z.number().int(),
    offset: z.number().int(),
    inventory: InventoryStatus,
  })
  .openapi('InventoryPackagePage');
export type InventoryPackagePage = z.infer<typeof InventoryPackagePage>;

export const InventoryQuery = z.object({
  q: z.string().trim().max(200, 'must be at most 200 characters').optional()
    .openapi({ description: 'Package name, case-insensitive prefix; `*` matches anything (`*ssl*`)' }),
  source: PackageSourceSchema.optional(),
  minion: z.string().max(255).optional().openapi({ description: 'Only this minion' }),
  limit: z.coerce.number().int().min(1, 'must be ≥ 1').max(5000, 'must be ≤ 5000').default(100),
  offset: z.coerce.number().int().min(0, 'must be ≥ 0').max(10_000_000).default(0),
  format: z.enum(['csv']).optional().openapi({ description: 'Download every match as CSV (up to 100,000 rows; limit and offset ignored)' }),
});
export type InventoryQuery = z.infer<typeof InventoryQuery>;

export const PackageNameParam = z.object({
  name: z.string().min(1).max(255).openapi({ param: { name: 'name', in: 'path' }, example: 'openssl' }),
});

export const PackageVersion = z
  .object({
    version: z.string(),
    source: PackageSourceSchema,
    minions: z.number().int().openapi({ description: 'Minions with this version installed' }),
  })
  .openapi('PackageVersion');
export type PackageVersion = z.infer<typeof PackageVersion>;

export const PackageVersions = z
  .object({
    name: z.string(),
    minions: z.number().int().openapi({ description: 'Minions with any version of the package' }),
    versions: z.array(PackageVersion).openapi({ description: 'Newest first, in the package manager’s own ordering' }),
  })
  .openapi('PackageVersions');
export type PackageVersions = z.infer<typeof PackageVersions>;

export const VersionSearchBody = z
  .object({
    name: z.string().trim().min(1, 'is required').max(255),
    operator: z.enum(VERSION_OPERATORS).openapi({ example: '<' }),
    version: z.string().trim().min(1, 'is required').max(255).openapi({ example: '3.0.11-1~deb12u2' }),
    limit: z.coerce.number().int().min(1, 'must be ≥ 1').max(5000, 'must be ≤ 5000').default(500),
    offset: z.coerce.number().int().min(0, 'must be ≥ 0').default(0),
  })
  .openapi('VersionSearch');
export type VersionSearchBody = z.infer<typeof VersionSearchBody>;

export const VersionSearchResult = z
  .object({
    name: z.string(),
    operator: z.enum(VERSION_OPERATORS),
    version: z.string(),
    data: z.array(InventoryPackage),
    total: z.number().int().openapi({ description: 'Minion rows whose installed version satisfies the comparison' }),
    limit: z.number().int(),
    offset: z.number().int(),
    matched_versions: z.array(PackageVersion).openapi({ description: 'The installed versions that satisfy it, newest first' }),
  })
  .openapi('VersionSearchResult');
export type VersionSearchResult = z.infer<typeof VersionSearchResult>;

export const InventoryBreakdown = z
  .object({
    os: z.array(z.object({ os: z.string().nullable(), osrelease: z.string().nullable(), minions: z.number().int() })),
    saltversion: z.array(z.object({ saltversion: z.string().nullable(), minions: z.number().int() })),
    total: z.number().int().openapi({ description: 'Accepted minions in the minions snapshot' }),
  })
  .openapi('InventoryBreakdown', { description: 'Accepted minions by OS (os, osrelease grains) and by salt version' });
export type InventoryBreakdown = z.infer<typeof InventoryBreakdown>;
