/**
 * @module
 * The router every feature builds on: an OpenAPIHono with the shared validation hook.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './env.ts';
import { defaultHook } from './validation.ts';

/** A new feature router. */
export function createRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({ defaultHook });
}
