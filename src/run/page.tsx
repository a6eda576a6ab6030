/**
 * @module
 * The body of the `/run` page: the form, empty or filled from a template (`?template=<id>`), and
 * the templates the user may use.
 */
import type { Context } from 'hono';
import type { AppEnv } from '../http/env.ts';
import { permits } from '../rbac/glob.ts';
import { getTemplate, listTemplates } from '../templates/service.ts';
import type { Template } from '../templates/schemas.ts';
import { EMPTY_RUN_FORM, RunPage, type RunFormValues } from '../../views/run/form.tsx';
import { stringify as toYaml } from 'yaml';

/** One argument as a line the form reads back the same way (YAML flow scalar). */
function argLine(v: unknown): string {
  return typeof v === 'string' ? v : toYaml(v, { collectionStyle: 'flow' }).trim();
}

/** A template's command as the form's fields. */
export function formValuesOf(t: Template): RunFormValues {
  return {
    target: t.target,
    target_type: t.target_type,
    fun: t.fun,
    args_text: t.args.map(argLine).join('\n'),
    kwargs_text: Object.entries(t.kwargs)
      .map(([k, v]) => `${k}=${argLine(v)}`)
      .join('\n'),
    batch: t.batch ?? '',
    timeout: t.timeout === null ? '' : String(t.timeout),
  };
}

/** The page body for the signed-in user. */
export async function runPageBody(c: Context<AppEnv>, templateParam: string | undefined): Promise<string> {
  const { user, permissions } = c.var.auth;
  const db = c.var.deps.db;
  const canView = permits(permissions, 'view', 'template:*');
  const canSave = permits(permissions, 'create', 'template:*');
  const list = canView ? await listTemplates(db, user!.id) : { data: [], count: 0 };
  let values = EMPTY_RUN_FORM;
  let from: string | null = null;
  const id = Number(templateParam);
  if (canView && Number.isInteger(id) && id > 0) {
    const t = await getTemplate(db, user!.id, id);
    if (t) {
      values = formValuesOf(t);
      from = t.name;
    }
  }
  const templates = list.data.map((t) => ({ id: t.id, name: t.name, owner: t.owner, mine: t.mine }));
  const canListFunctions = permits(permissions, 'view', 'salt:functions');
  return RunPage({ values, templates, canSave, canListFunctions, from });
}
