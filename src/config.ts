/**
 * @module
 * Settings: the infrastructure configuration, read from environment variables once, inside the
 * app factory's caller (src/server.ts). Never read at import time, so tests and the OpenAPI
 * generator build apps with whatever settings they need.
 */
import { z } from 'zod';

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const boolFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test'], { error: 'must be development, production or test' }).default('development'),
  HALITE_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/.+/, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  HALITE_DATA_DIR: z.string().min(1, 'must not be empty').default('./data'),
  HALITE_SECRET_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  HALITE_HOST: z.string().min(1, 'must not be empty').default('127.0.0.1'),
  HALITE_PORT: z.coerce
    .number({ error: 'must be a number' })
    .int('must be an integer')
    .min(0, 'must be between 0 and 65535')
    .max(65535, 'must be between 0 and 65535')
    .default(8080),
  HALITE_LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  HALITE_COOKIE_SECURE: boolFromEnv.optional(),
  HALITE_MIGRATIONS_DIR: z.string().min(1).default('migrations'),
  HALITE_PUBLIC_DIR: z.string().min(1).default('public'),
});

/** The parsed infrastructure settings. */
export interface Settings {
  env: 'development' | 'production' | 'test';
  /** A postgres URL, or null for the embedded PGlite database in `dataDir`. */
  databaseUrl: string | null;
  dataDir: string;
  /** Null only in development/test before src/server.ts generates and stores one. */
  secretKey: string | null;
  host: string;
  port: number;
  logLevel: LogLevel;
  /** Force the Secure cookie attribute; when unset it follows the request's scheme. */
  cookieSecure: boolean | null;
  migrationsDir: string;
  publicDir: string;
}

/** A configuration error: one line that names the variable and what is wrong with it. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Parses Settings from an environment map. Throws ConfigError naming every bad variable.
 * Empty strings count as unset, the way shells and compose files usually mean them.
 */
export function parseSettings(env: Record<string, string | undefined>): Settings {
  const cleaned: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') cleaned[key] = value;
  }
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${String(issue.path[0])} ${issue.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && !e.HALITE_SECRET_KEY) {
    throw new ConfigError(
      'Invalid configuration: HALITE_SECRET_KEY is required in production (at least 32 characters, e.g. `openssl rand -hex 32`)',
    );
  }
  return {
    env: e.NODE_ENV,
    databaseUrl: e.HALITE_DATABASE_URL ?? null,
    dataDir: e.HALITE_DATA_DIR,
    secretKey: e.HALITE_SECRET_KEY ?? null,
    host: e.HALITE_HOST,
    port: e.HALITE_PORT,
    logLevel: e.HALITE_LOG_LEVEL,
    cookieSecure: e.HALITE_COOKIE_SECURE ?? null,
    migrationsDir: e.HALITE_MIGRATIONS_DIR,
    publicDir: e.HALITE_PUBLIC_DIR,
  };
}

/** Settings for tests: development defaults plus a fixed secret, overridable per test. */
export function testSettings(overrides: Partial<Settings> = {}): Settings {
  return {
    ...parseSettings({ NODE_ENV: 'test' }),
    secretKey: 'test-secret-key-0123456789abcdef0123456789',
    ...overrides,
  };
}
