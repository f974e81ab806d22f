import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

// Fails when prisma/schema.prisma and the committed migrations disagree, i.e. someone changed the schema
// without `npx prisma migrate dev --name <change>` (or edited a migration by hand). Runs the real
// Prisma CLI through the offline schema engine in this folder, which also proves the bridge works.

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');

jest.setTimeout(120_000);

it('prisma/migrations produce exactly prisma/schema.prisma', async () => {
  // The shadow database is an embedded PGlite in a scratch folder: no server, and the developer's
  // own data folder (possibly locked by a running API) stays untouched.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-drift-'));
  const env: NodeJS.ProcessEnv = { ...process.env, KEYWAY_DATA_DIR: dataDir };
  delete env['DATABASE_URL'];
  const args = [
    'migrate',
    'diff',
    '--from-migrations',
    'prisma/migrations',
    '--to-schema',
    'prisma/schema.prisma',
    '--exit-code',
    '--script',
  ];
  try {
    const { stdout } = await run(process.execPath, [path.join(ROOT, 'node_modules/prisma/build/index.js'), ...args], {
      cwd: ROOT,
      env,
    });
    expect(stdout).toContain('This is an empty migration.');
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    const hint =
      code === 2
        ? 'schema.prisma has changes no migration contains; run `npx prisma migrate dev --name <change>`:\n'
        : '';
    throw new Error(`${hint}prisma ${args.join(' ')} exited with ${code}\n${stdout}${stderr}`);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
