/**
 * @module
 * The shared validation hook: a zod failure becomes 422 with one message per field, in JSON or as
 * an alert fragment. Routes with a form pass their own hook built by `formHook` so the form comes
 * back with its errors next to the fields.
 */
import type { Context } from 'hono';
import type { ZodError } from 'zod';
import { problem } from './problem.ts';
import { faceOf } from './negotiate.ts';

/** Flattens zod issues into `{field, message}` pairs; `field` is the dotted path. */
export function fieldErrors(error: ZodError): { field: string; message: string }[] {
  return error.issues.map((issue) => ({
    field: issue.path.length ? issue.path.map(String).join('.') : '(body)',
    message: issue.message,
  }));
}

/** A 422 response for a list of field errors. */
export function validationProblem(c: Context, fields: { field: string; message: string }[]): Promise<Response> {
  const summary = fields.map((f) => `${f.field}: ${f.message}`).join('; ');
  return problem(c, 422, { error: 'validation_failed', message: `Invalid input — ${summary}`, fields });
}

type HookResult = { success: true } | { success: false; error: ZodError };

/** The default hook every OpenAPIHono router is built with. */
export function defaultHook(result: HookResult, c: Context): Response | Promise<Response> | undefined {
  if (result.success) return undefined;
  return validationProblem(c, fieldErrors(result.error));
}

/**
 * A hook for routes behind an htmx form: on failure the form is rendered again with its errors and
 * the submitted values. JSON clients still get the standard 422 body.
 */
export function formHook(
  render: (c: Context, errors: Record<string, string>) => string | Promise<string>,
): (result: HookResult, c: Context) => Response | Promise<Response> | undefined {
  return (result, c) => {
    if (result.success) return undefined;
    const fields = fieldErrors(result.error);
    if (faceOf(c) !== 'fragment') return validationProblem(c, fields);
    const errors: Record<string, string> = {};
    for (const f of fields) errors[f.field] ??= f.message;
    return Promise.resolve(render(c, errors)).then((html) => c.html(html, 422));
  };
}
