#!/usr/bin/env node
// `npm start`: builds the API, then runs it (embedded PGlite unless DATABASE_URL is set) and the console
// side by side, with prefixed output, and says where to sign in once both answer. Ctrl-C stops both.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const nx = path.join(root, 'node_modules', '.bin', 'nx');

// Both processes agree on where the other is: the API registers the console's redirect URI and passkey origin
// from KEYWAY_CONSOLE_URL; the console calls KEYWAY_API_URL and reads the client secret from the data dir.
const apiPort = process.env.PORT || '3000';
const consolePort = process.env.CONSOLE_PORT || '3001';
const consoleUrl = (process.env.KEYWAY_CONSOLE_URL || `http://localhost:${consolePort}`).replace(/\/+$/, '');
const apiUrl = (process.env.KEYWAY_API_URL || `http://localhost:${apiPort}`).replace(/\/+$/, '');
const shared = { KEYWAY_CONSOLE_URL: consoleUrl, KEYWAY_API_URL: apiUrl };

const build = spawnSync(nx, ['run', 'api:build', '--output-style=stream'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

// The API's young generation as the Docker image sizes it (docker/Dockerfile.api): 2 × 4 MiB semi-spaces instead of
// V8's 2 × 16 (Node 20) or up to 2 × 64 (Node 24). Flags in the caller's NODE_OPTIONS come after, so they win.
const apiNodeOptions = `--max-semi-space-size=4 ${process.env.NODE_OPTIONS ?? ''}`.trim();
// At most two glibc malloc arenas instead of 8 per core, as in the Docker image: the API's threads (libuv's pool, V8's
// helpers) otherwise each keep an arena of freed memory, about 20 MiB in all (docs/benchmark.md, "Memory").
const mallocArenaMax = process.env.MALLOC_ARENA_MAX ?? '2';

const children = [
  run('api', process.execPath, ['dist/apps/api/apps/api/src/main.js'], {
    NODE_OPTIONS: apiNodeOptions,
    MALLOC_ARENA_MAX: mallocArenaMax,
  }),
  run('console', nx, ['run', 'console:serve', '--output-style=stream']),
];

/** Once the API and the console answer: where to go and, on the embedded default, whom to sign in as. */
async function announce() {
  const deadline = Date.now() + 180_000;
  for (const url of [`${apiUrl}/health/live`, `${consoleUrl}/sign-in`]) {
    while (!(await answers(url))) {
      if (stopping || Date.now() > deadline) return;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  const dataDir = path.resolve(root, process.env.KEYWAY_DATA_DIR || '.data');
  const passwordFile = path.join(dataDir, 'owner-password');
  const lines = [`Keyway console: ${consoleUrl}`];
  if (!process.env.DATABASE_URL && existsSync(passwordFile))
    lines.push(
      `  sign in as owner@keyway.local with ${readFileSync(passwordFile, 'utf8').trim()}`,
      `  (the first owner's initial password, kept in ${passwordFile.startsWith(root) ? path.relative(root, passwordFile) : passwordFile})`,
    );
  process.stdout.write(`\n${lines.join('\n')}\n\n`);
}

async function answers(url) {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(60_000) })).ok;
  } catch {
    return false;
  }
}

function run(name, command, args, ownEnv = {}) {
  // Output passes through a pipe: ask for human-readable logs when a person is watching.
  const env = { KEYWAY_LOG_FORMAT: process.stdout.isTTY ? 'pretty' : 'json', ...process.env, ...shared, ...ownEnv };
  const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = `[${name}] `;
  for (const stream of [child.stdout, child.stderr]) {
    let pending = '';
    stream.on('data', (chunk) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) process.stdout.write(`${prefix}${line}\n`);
    });
  }
  child.on('exit', (code, signal) => {
    process.stdout.write(`${prefix}exited (${signal ?? code})\n`);
    stopAll();
    process.exitCode = code ?? 1;
  });
  return child;
}

let stopping = false;
function stopAll() {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
}
process.on('SIGINT', stopAll);
process.on('SIGTERM', stopAll);
void announce();
