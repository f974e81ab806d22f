#!/usr/bin/env node
// `npm start`: builds the API, then runs it (embedded PGlite unless DATABASE_URL is set) and the console
// side by side, with prefixed output. Ctrl-C stops both.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const nx = path.join(root, 'node_modules', '.bin', 'nx');

const build = spawnSync(nx, ['run', 'api:build', '--output-style=stream'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const children = [
  run('api', process.execPath, ['dist/apps/api/apps/api/src/main.js']),
  run('console', nx, ['run', 'console:serve', '--output-style=stream']),
];

function run(name, command, args) {
  // Output passes through a pipe: ask for human-readable logs when a person is watching.
  const env = { KEYWAY_LOG_FORMAT: process.stdout.isTTY ? 'pretty' : 'json', ...process.env };
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
