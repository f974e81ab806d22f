import { spawnSync } from 'node:child_process';
import path from 'node:path';

/**
 * Packages that only some deployments or requests need are imported where they are used, so that a process that never
 * uses them never holds them (docs/benchmark.md, "Memory"). A top-level import anywhere in the app's module graph
 * would load one again at start-up; this loads the graph in a fresh process and lists what came with it.
 */
const LOADED_ON_FIRST_USE = [
  'nodemailer', // the outbox worker's first send
  '@simplewebauthn/server', // the first passkey ceremony
  '@electric-sql/pglite', // the embedded database only
  'pglite-prisma-adapter',
  'ioredis', // KEYWAY_REDIS_URL only
  'qrcode', // the first TOTP enrollment on a hosted page
  'bcryptjs', // the first imported bcrypt hash
];

function packagesLoadedByTheAppModuleGraph(candidates: string[]): string[] {
  const script = `
    require('reflect-metadata');
    require(${JSON.stringify(path.join(__dirname, 'app.factory.ts'))});
    const files = Object.keys(require.cache);
    const names = ${JSON.stringify(candidates)};
    process.stdout.write(JSON.stringify(names.filter((name) => files.some((file) => file.includes('/node_modules/' + name + '/')))));`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
    encoding: 'utf8',
    // The app's decorators need its compiler options (experimentalDecorators).
    env: { ...process.env, TSX_TSCONFIG_PATH: path.join(__dirname, '..', 'tsconfig.json') },
  });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout) as string[];
}

describe('start-up', () => {
  it('loads none of the packages that wait for their first use', () => {
    // zod is loaded by every controller: it shows that the graph was loaded at all.
    const loaded = packagesLoadedByTheAppModuleGraph([...LOADED_ON_FIRST_USE, 'zod']);
    expect(loaded).toEqual(['zod']);
  }, 60_000);
});
