import { defineConfig } from 'drizzle-kit';

// `casing` must match DB_CASING in src/db/types.ts.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: './migrations',
  casing: 'snake_case',
});
