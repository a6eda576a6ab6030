/**
 * @module
 * The public shapes of the run feature: the command a user dispatches (JSON, or the run form's
 * fields), the preview of its target, the 202 answer, the live progress of a run, and the Salt
 * function list and docs for the form.
 *
 * The JSON body is strict (`args` must be a list, `kwargs` an object). The HTML form cannot send
 * those types, so it sends `args_text` (one argument per line) and `kwargs_text` (`key=value`
 * per line) instead; `toCommand()` reads both into one `RunCommand`, values parsed as YAML the way
 * the `salt` CLI parses its arguments (`5` is a number, `True` a boolean).
 */
import { z } from '@hono/zod-openapi';
import { parse as parseYaml } from 'yaml';

export const TARGET_TYPES = ['glob', 'list', 'pcre', 'grain', 'grain_pcre', 'pillar', 'nodegroup', 'ipcidr', 'compound'] as const;
export type TargetType = (typeof TARGET_TYPES)[number];

/** A form sends '' for an empty field: treat it as absent. */
const blank = (v: unknown) => (v === '' || v === null ? undefined : v);

const TargetTypeSchema = z
  .enum(TARGET_TYPES, { error: `must be one of ${TARGET_TYPES.join(', ')}` })
  .openapi('TargetType');

const FUN_RE = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+$/;

/** The command's fields, shared by the run, the preview and the templates. */
export const commandFields = {
  target: z
    .string({ error: 'is required' })
    .trim()
    .min(1, 'must not be empty')
    .max(4000, 'is too long')
    .openapi({ example: 'web*', description: 'The target expression; for `list`, ids separated by commas' }),
  target_type: z.preprocess(blank, TargetTypeSchema.default('glob')),
  fun: z
    .string({ error: 'is required' })
    .trim()
    .regex(FUN_RE, 'must be a Salt function name such as test.ping')
    .openapi({ example: 'test.ping' }),
  args: z.array(z.unknown(), { error: 'must be a list' }).max(100, 'at most 100 arguments').optional(),
  kwargs: z.record(z.string(), z.unknown(), { error: 'must be an object' }).optional(),
  args_text: z.string().max(20_000).optional().openapi({ description: 'Form only: one positional argument per line (YAML scalars)' }),
  kwargs_text: z.string().max(20_000).optional().openapi({ description: 'Form only: one `key=value` per line (values read as YAML)' }),
  batch: z.preprocess(
    (v) => (typeof v === 'number' ? String(v) : blank(v)),
    z
      .string()
      .regex(/^(?:[1-9]\d{0,6}|(?:100|[1-9]\d?)%)$/, 'must be a count (10) or a percentage (25%)')
      .optional(),
  ),
  timeout: z.preprocess(
    blank,
    z.coerce.number({ error: 'must be a number of seconds' }).int('must be whole seconds').min(1, 'must be at least 1').max(86_400, 'at most 86400').optional(),
  ),
};

/** What may be previewed: the command without its confirmation. */
export const PreviewBody = z.object(commandFields).openapi('RunPreviewRequest');
export type PreviewBody = z.infer<typeof PreviewBody>;

const truthy = (v: unknown) => (v === 'on' || v === 'true' || v === '1' || v === 'yes' ? true : v === 'false' || v === '' ? undefined : v);

export const RunBody = z
  .object({
    ...commandFields,
    confirm: z.preprocess(truthy, z.boolean({ error: 'must be true or false' }).optional()).openapi({
      description: 'Required (true) when the function is on the dangerous list',
    }),
    confirm_count: z.preprocess(blank, z.coerce.number({ error: 'must be the number of minions' }).int().min(0).optional()).openapi({
      description: 'Required when the target is larger than the confirmation threshold: the number of minions it matches, typed',
    }),
  })
  .openapi('RunRequest');
export type RunBody = z.infer<typeof RunBody>;

/** A validated command, whatever face it came from. */
export interface RunCommand {
  target: string;
  targetType: TargetType;
  fun: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  batch: string | null;
  timeout: number | null;
}

function yamlValue(text: string): unknown {
  try {
    return parseYaml(text);
  } catch {
    return text;
  }
}

/** Reads a body into a command; a `{field, message}` when the form text does not parse. */
export function toCommand(b: PreviewBody): RunCommand | { field: string; message: string } {
  let args = b.args ?? [];
  let kwargs = b.kwargs ?? {};
  if (b.args_text !== undefined && b.args === undefined) {
    args = b.args_text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean)
      .map(yamlValue);
  }
  if (b.kwargs_text !== undefined && b.kwargs === undefined) {
    kwargs = {};
    for (const line of b.kwargs_text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean)) {
      const eq = line.indexOf('=');
      if (eq < 1) return { field: 'kwargs_text', message: `"${line}" is not key=value` };
      kwargs[line.slice(0, eq).trim()] = yamlValue(line.slice(eq + 1).trim());
    }
  }
  return { target: b.target, targetType: b.target_type, fun: b.fun, args, kwargs, batch: b.batch ?? null, timeout: b.timeout ?? null };
}

export const Confirmation = z.enum(['none', 'confirm', 'type_count']).openapi('RunConfirmation');

export const RunPreview = z
  .object({
    target: z.string(),
    target_type: TargetTypeSchema,
    fun: z.string(),
    count: z.number().int(),
    minions: z.array(z.string()).openapi({ description: 'The matched ids, sorted (at most 1000)' }),
    truncated: z.boolean(),
    source: z.enum(['snapshot', 'master']).openapi({
      description: '`snapshot`: matched against the minion snapshot (glob, list, pcre, grain, grain_pcre); `master`: asked the master (runner cache.grains with tgt/tgt_type)',
    }),
    dangerous: z.boolean(),
    danger_reason: z.string().nullable(),
    threshold: z.number().int().openapi({ description: 'app_settings.run_confirm_threshold (0: no size check)' }),
    confirmation: Confirmation.openapi({
      description: '`confirm`: send `confirm: true`; `type_count`: send `confirm_count` equal to `count`',
    }),
  })
  .openapi('RunPreview');
export type RunPreview = z.infer<typeof RunPreview>;

export const RunAccepted = z
  .object({
    jid: z.string(),
    minions: z.array(z.string()),
    minion_count: z.number().int(),
    fun: z.string(),
    target: z.string(),
    target_type: TargetTypeSchema,
    batch: z.string().nullable(),
    links: z.object({ run: z.string(), job: z.string() }),
  })
  .openapi('RunAccepted');
export type RunAccepted = z.infer<typeof RunAccepted>;

export const RunMinion = z
  .object({
    minion: z.string(),
    status: z.enum(['returned', 'pending', 'missing']).openapi({ description: '`missing`: the job (or the batch) ended without a return from this minion' }),
    outcome: z.enum(['ok', 'changes', 'failed']).nullable(),
    return: z.unknown().optional(),
  })
  .openapi('RunMinion');

export const RunProgress = z
  .object({
    jid: z.string(),
    fun: z.string(),
    target: z.string(),
    target_type: z.string(),
    batch: z.string().nullable(),
    username: z.string(),
    dispatched_at: z.string(),
    targeted: z.number().int(),
    returned: z.number().int(),
    failed: z.number().int(),
    pending: z.number().int(),
    done: z.boolean(),
    source: z.enum(['stream', 'lookup_jid']).openapi({
      description: '`stream`: counted from the returns the activity stream delivered; `lookup_jid`: asked the master (the stream is off)',
    }),
    results_loaded: z.boolean().openapi({ description: 'Whether `minions[].return` holds the returns (from jobs.lookup_jid)' }),
    error: z.string().nullable().openapi({ description: 'Why a batch run failed on the master, when it did' }),
    minions: z.array(RunMinion),
  })
  .openapi('RunProgress');
export type RunProgress = z.infer<typeof RunProgress>;

export const JidParam = z.object({ jid: z.string().regex(/^\d{20}$/, 'a jid is 20 digits').openapi({ param: { name: 'jid', in: 'path' } }) });

export const ProgressQuery = z.object({
  results: z
    .enum(['auto', 'always'])
    .default('auto')
    .openapi({ description: '`auto`: returns are fetched once the run is done (or while the stream is off); `always`: fetch them now' }),
});

export const FunctionList = z
  .object({
    data: z.array(z.string()),
    count: z.number().int(),
    asked: z.string().openapi({ description: 'The minion sys.list_functions ran on' }),
    cached_at: z.string(),
  })
  .openapi('SaltFunctionList');
export type FunctionList = z.infer<typeof FunctionList>;

export const FunctionDoc = z
  .object({ name: z.string(), doc: z.string().nullable(), asked: z.string() })
  .openapi('SaltFunctionDoc');
export type FunctionDoc = z.infer<typeof FunctionDoc>;

export const FunctionParam = z.object({
  name: z.string().regex(FUN_RE, 'must be a Salt function name such as test.ping').openapi({ param: { name: 'name', in: 'path' } }),
});
