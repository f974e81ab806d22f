#!/usr/bin/env node
// `npm run keyway -- <command> …`: the API's command line (e.g. `create-owner --email you@example.com`), run
// against the configured database (DATABASE_URL, else the embedded PGlite folder). Builds the API first.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const nx = path.join(root, 'node_modules', '.bin', 'nx');
const build = spawnSync(nx, ['run', 'api:build', '--output-style=stream'], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (build.status !== 0) process.exit(build.status ?? 1);
const run = spawnSync(process.execPath, ['dist/apps/api/apps/api/src/main.js', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { KEYWAY_LOG_LEVEL: 'warn', ...process.env },
});
process.exit(run.status ?? 1);
