/**
 * @module
 * Error responses in both faces. JSON errors share one shape,
 * `{ error, message, fields?, request_id? }`; the HTML face is a small alert fragment that htmx
 * swaps in place (the layout's htmx config swaps 4xx and 5xx bodies).
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from '@hono/zod-openapi';
import { faceOf, setVary } from './negotiate.ts';
import { ErrorAlert } from '../../views/components/alert.tsx';
import { renderPage } from './page.ts';

export const FieldError = z
  .object({ field: z.string().openapi({ example: 'limit' }), message: z.string().openapi({ example: 'must be ≤ 500' }) })
  .openapi('FieldError');

export const ErrorBody = z
  .object({
    error: z.string().openapi({ example: 'validation_failed' }),
    message: z.string(),
    fields: z.array(FieldError).optional(),
    request_id: z.string().optional(),
  })
  .openapi('Error');
export type ErrorBody = z.infer<typeof ErrorBody>;

/** Answers an error in the face the request wants. */
export async function problem(
  c: Context,
  status: ContentfulStatusCode,
  body: Omit<ErrorBody, 'request_id'>,
): Promise<Response> {
  setVary(c);
  const requestId = c.get('requestId') as string | undefined;
  const full: ErrorBody = { ...body, ...(requestId ? { request_id: requestId } : {}) };
  const face = faceOf(c);
  if (face === 'json') return c.json(full, status);
  const alert = ErrorAlert({ title: titleFor(status), body: full });
  if (face === 'fragment') return c.html(alert, status);
  return c.html(await renderPage(c, { title: titleFor(status), content: alert }), status);
}

function titleFor(status: number): string {
  if (status === 401) return 'Sign-in required';
  if (status === 403) return 'Not allowed';
  if (status === 404) return 'Not found';
  if (status === 422) return 'Check the input';
  if (status === 429) return 'Too many attempts';
  if (status === 502) return 'Salt answered with an error';
  if (status === 503) return 'Salt is unavailable';
  if (status >= 500) return 'Something went wrong';
  return 'Request refused';
}
