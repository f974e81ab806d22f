import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../../..');
const CONSOLE_DIR = path.join(ROOT, 'apps/console');
const NEXT_BIN = path.join(ROOT, 'node_modules/next/dist/bin/next');

export interface ConsoleServer {
  /** The console's public URL (KEYWAY_CONSOLE_URL): the origin the browser must use. */
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Runs the production build of the console (`next start` on apps/console/.next, as `npx nx run console:build`
 * made it) against an API. It gets what `npm start` gives it: the API's URL, its own public URL and the
 * API's data dir, where it finds the console client's secret (no KEYWAY_CONSOLE_CLIENT_SECRET).
 */
export async function startConsole(options: { port: number; apiUrl: string; dataDir: string }): Promise<ConsoleServer> {
  if (!existsSync(path.join(CONSOLE_DIR, '.next', 'BUILD_ID')))
    throw new Error('apps/console/.next has no production build: run `npx nx run console:build` first');
  const url = `http://localhost:${options.port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    KEYWAY_API_URL: options.apiUrl,
    KEYWAY_CONSOLE_URL: url,
    KEYWAY_DATA_DIR: options.dataDir,
  };
  delete env['KEYWAY_CONSOLE_CLIENT_SECRET'];
  delete env['NEXT_PUBLIC_KEYWAY_API_URL'];
  let output = '';
  const child: ChildProcess = spawn(process.execPath, [NEXT_BIN, 'start', '-p', String(options.port)], {
    cwd: CONSOLE_DIR,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));

  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });

  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the console exited with ${child.exitCode}:\n${output}`);
    try {
      if ((await fetch(`${url}/sign-in`)).ok) return { url, output: () => output, stop };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await stop();
  throw new Error(`the console did not start:\n${output}`);
}
