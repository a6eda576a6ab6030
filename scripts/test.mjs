#!/usr/bin/env node
// The test command: typecheck, xss-scan, the openapi.json drift check, then every node:test suite.
// Node 20's --test neither expands globs nor finds .ts files by itself (a false green with 0
// tests), so the files are listed here. The runner's own pass/fail summary ends the output.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const bin = (name) => path.join('node_modules', '.bin', name);

function step(label, cmd, args) {
  console.log(`\n== ${label}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`\n${label} failed (exit ${r.status ?? r.signal}).`);
    process.exit(r.status || 1);
  }
}

function findTests(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) findTests(file, out);
    else if (/\.test\.tsx?$/.test(name)) out.push(file);
  }
  return out;
}

const only = process.argv.slice(2);
if (only.length === 0) {
  step('typecheck', bin('tsc'), ['--noEmit']);
  step('xss-scan', bin('xss-scan'), []);
  step('openapi.json drift', bin('tsx'), ['scripts/openapi.ts', '--check']);
}
const files = only.length ? only : ['src', 'sim', 'views', 'test'].flatMap((d) => findTests(d)).sort();
console.log(`\n== node:test (${files.length} files${process.env.HALITE_TEST_DATABASE_URL ? ', PGlite and PostgreSQL' : ', PGlite'})`);
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${process.env.HALITE_TEST_CONCURRENCY ?? 2}`, ...files],
  { stdio: 'inherit' },
);
process.exit(r.status ?? 1);
