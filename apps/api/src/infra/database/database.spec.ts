import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { openDatabase, type Database } from './database';
import { findMigrationsDir, readMigrations } from './migrator';
import { POSTGRES_ADMIN_URL, postgresAdminQuery } from './scratch-database.testing';

// End to end on both databases: our start-up migrator, the Prisma CLI (through the offline schema
// engine in tools/prisma-engine) and the PGlite pid lock must agree.

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../../../../..');
const PRISMA_CLI = path.join(ROOT, 'node_modules/prisma/build/index.js');
const MIGRATION_NAMES = readMigrations(findMigrationsDir()).map((m) => m.name);

jest.setTimeout(120_000);

interface Target {
  kind: 'pglite' | 'postgres';
  /** Options for openDatabase and the environment for the Prisma CLI (prisma.config.ts reads it). */
  options: { databaseUrl?: string; dataDir: string };
  cliEnv: NodeJS.ProcessEnv;
  dispose(): Promise<void>;
}

async function freshPGlite(): Promise<Target> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-db-'));
  return {
    kind: 'pglite',
    options: { dataDir },
    cliEnv: { KEYWAY_DATA_DIR: dataDir, DATABASE_URL: undefined },
    dispose: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
  };
}

async function freshPostgres(): Promise<Target> {
  const name = `keyway_test_${randomBytes(6).toString('hex')}`;
  await postgresAdminQuery(`CREATE DATABASE "${name}"`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-db-'));
  return {
    kind: 'postgres',
    options: { databaseUrl: url.toString(), dataDir },
    cliEnv: { DATABASE_URL: url.toString(), KEYWAY_DATA_DIR: dataDir },
    dispose: async () => {
      await postgresAdminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs the Prisma CLI against the target; resolves with its exit code and output. */
async function prisma(target: Target, ...args: string[]): Promise<{ code: number; output: string }> {
  const env = { ...process.env, ...target.cliEnv };
  for (const [key, value] of Object.entries(target.cliEnv)) if (value === undefined) delete env[key];
  try {
    const { stdout, stderr } = await run(process.execPath, [PRISMA_CLI, ...args], { cwd: ROOT, env });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

async function appliedMigrations(db: Database): Promise<string[]> {
  const rows = await db.prisma.$queryRawUnsafe<{ migration_name: string }[]>(
    'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name',
  );
  return rows.map((row) => row.migration_name);
}

describe.each([
  ['pglite', freshPGlite],
  ['postgres', freshPostgres],
] as const)('openDatabase on %s', (kind, fresh) => {
  let target: Target;

  beforeEach(async () => {
    target = await fresh();
  });

  afterEach(async () => {
    await target.dispose();
  });

  it('applies all migrations to a new database, then agrees with `prisma migrate status`', async () => {
    const db = await openDatabase(target.options);
    expect(db.kind).toBe(kind);
    expect(await appliedMigrations(db)).toEqual(MIGRATION_NAMES);
    await db.prisma.project.create({ data: { slug: 'acme', name: 'Acme' } });
    await db.close();

    const status = await prisma(target, 'migrate', 'status');
    expect(status.output).toContain('Database schema is up to date!');
    expect(status.code).toBe(0);
  });

  it('applies nothing the second time', async () => {
    const logged: string[] = [];
    const logger = { log: (message: string) => logged.push(message) };
    await (await openDatabase({ ...target.options, logger })).close();
    expect(logged).toHaveLength(MIGRATION_NAMES.length);

    logged.length = 0;
    const db = await openDatabase({ ...target.options, logger });
    expect(logged).toEqual([]);
    expect(await appliedMigrations(db)).toEqual(MIGRATION_NAMES);
    await db.close();
  });

  it('starts on a database migrated by `prisma migrate deploy` without applying anything', async () => {
    const deploy = await prisma(target, 'migrate', 'deploy');
    expect(deploy.code).toBe(0);
    const logged: string[] = [];
    const db = await openDatabase({ ...target.options, logger: { log: (message) => logged.push(message) } });
    expect(logged).toEqual([]);
    expect(await appliedMigrations(db)).toEqual(MIGRATION_NAMES);
    await db.close();
  });

  it('refuses to start when an applied migration was edited', async () => {
    await (await openDatabase(target.options)).close();
    const migrationsDir = copyOfMigrations();
    const first = path.join(migrationsDir, MIGRATION_NAMES[0] ?? '', 'migration.sql');
    fs.appendFileSync(first, '\n-- edited after it was applied\n');
    process.env['KEYWAY_MIGRATIONS_DIR'] = migrationsDir;
    try {
      await expect(openDatabase(target.options)).rejects.toThrow(/changed after it was applied .*checksum mismatch/);
    } finally {
      delete process.env['KEYWAY_MIGRATIONS_DIR'];
      fs.rmSync(migrationsDir, { recursive: true, force: true });
    }
  });
});

describe('the PGlite pid lock', () => {
  let target: Target;

  beforeEach(async () => {
    target = await freshPGlite();
  });

  afterEach(async () => {
    await target.dispose();
  });

  it('refuses a second open in the same process until the first closes', async () => {
    const first = await openDatabase(target.options);
    await expect(openDatabase(target.options)).rejects.toThrow(/is in use by Keyway API \(pid \d+/);
    await first.close();
    const second = await openDatabase(target.options);
    await second.close();
  });

  it('refuses the Prisma CLI while the API holds the folder', async () => {
    const db = await openDatabase(target.options);
    try {
      const status = await prisma(target, 'migrate', 'status');
      expect(status.code).not.toBe(0);
      expect(status.output).toMatch(/is in use by Keyway API \(pid \d+/);
    } finally {
      await db.close();
    }
  });

  it('takes over a lock left by a process that no longer exists', async () => {
    const lockPath = path.join(target.options.dataDir, 'pglite.lock');
    fs.writeFileSync(lockPath, JSON.stringify({ pid: await deadPid(), hostname: os.hostname(), owner: 'crashed' }));
    const db = await openDatabase(target.options);
    expect(JSON.parse(fs.readFileSync(lockPath, 'utf8')).pid).toBe(process.pid);
    await db.close();
    expect(fs.existsSync(lockPath)).toBe(false);
  });
});

/** A copy of prisma/migrations to tamper with. */
function copyOfMigrations(): string {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-migrations-'));
  fs.cpSync(findMigrationsDir(), copy, { recursive: true });
  return copy;
}

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = execFile(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid ?? 0;
}
