/**
 * @module
 * The built-in roles and what they grant. Seeded idempotently at boot: a built-in role's
 * permissions are reset to this list, so an upgrade that changes them takes effect.
 */
import type { Permission } from '../auth/context.ts';

const p = (verb: string, resource: string): Permission => ({ verb, resource });

/** What a viewer may see: minions, jobs, keys and activity — not the audit log, not settings. */
const VIEWER: Permission[] = [
  p('view', 'dashboard:*'),
  p('view', 'minion:*'),
  p('view', 'job:*'),
  p('view', 'key:*'),
  p('view', 'activity:*'),
];

/** An operator sees every fleet view and acts: runs commands, kills jobs, handles keys, keeps templates. */
const OPERATOR: Permission[] = [
  ...VIEWER,
  p('view', 'fleet:*'),
  p('view', 'inventory:*'),
  p('view', 'template:*'),
  p('view', 'salt:**'),
  p('run', 'salt:**'),
  p('kill', 'job:*'),
  p('accept', 'key:*'),
  p('reject', 'key:*'),
  p('delete', 'key:*'),
  p('create', 'template:*'),
  p('edit', 'template:*'),
  p('delete', 'template:*'),
];

export const BUILTIN_ROLES: { name: string; description: string; permissions: Permission[] }[] = [
  { name: 'admin', description: 'Everything, including users, roles, settings and the audit log', permissions: [p('**', '**')] },
  { name: 'operator', description: 'All fleet views; run commands, kill jobs, accept/reject/delete keys, templates', permissions: OPERATOR },
  { name: 'viewer', description: 'Read-only: minions, jobs, keys and activity', permissions: VIEWER },
];
