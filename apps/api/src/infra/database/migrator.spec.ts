import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite' with { 'resolution-mode': 'import' };
import { findMigrationsDir, migrate, readMigrations, type Migration, type SqlSession } from './migrator';
import { openPGliteDataDir } from './pglite-files';

function migration(name: string, script: string): Migration {
  return { name, script, checksum: createHash('sha256').update(script).digest('hex') };
}

describe('migrate', () => {
  let dataDir: string;
  let db: PGlite;
  let session: SqlSession;

  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-migrator-'));
    db = await openPGliteDataDir(dataDir);
    session = {
      query: async <Row>(sql: string, params?: unknown[]) => (await db.query<Row>(sql, params)).rows,
      exec: async (script) => {
        await db.exec(script);
      },
    };
  });

  afterEach(async () => {
    await db.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const options = { advisoryLock: false };
  const first = migration('20250101000000_first', 'CREATE TABLE a (id INT);');
  const functionBody = migration(
    '20250102000000_function',
    `CREATE FUNCTION one() RETURNS INT AS $$ BEGIN RETURN 1; END; $$ LANGUAGE plpgsql;\nINSERT INTO a VALUES (one());`,
  );
  const broken = migration('20250103000000_broken', 'CREATE TABLE b (id INT);\nINSERT INTO missing VALUES (1);');

  it('applies migrations in order, scripts with $$ bodies included, and records them', async () => {
    expect(await migrate(session, [first, functionBody], options)).toEqual([first.name, functionBody.name]);
    expect(await session.query('SELECT id FROM a')).toEqual([{ id: 1 }]);
    const rows = await session.query<{ migration_name: string; checksum: string; applied_steps_count: number }>(
      'SELECT migration_name, checksum, applied_steps_count FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY started_at',
    );
    expect(rows).toEqual([
      { migration_name: first.name, checksum: first.checksum, applied_steps_count: 1 },
      { migration_name: functionBody.name, checksum: functionBody.checksum, applied_steps_count: 1 },
    ]);
  });

  it('applies only what is new', async () => {
    await migrate(session, [first], options);
    expect(await migrate(session, [first, functionBody], options)).toEqual([functionBody.name]);
    expect(await migrate(session, [first, functionBody], options)).toEqual([]);
  });

  it('rolls a failed migration back, records it, and refuses to continue until it is resolved', async () => {
    await migrate(session, [first], options);
    await expect(migrate(session, [first, broken], options)).rejects.toThrow(
      /Migration 20250103000000_broken failed and was rolled back: .*missing/,
    );
    expect(await session.query("SELECT to_regclass('b') AS b")).toEqual([{ b: null }]);
    const failed = await session.query<{ logs: string }>(
      'SELECT logs FROM _prisma_migrations WHERE finished_at IS NULL',
    );
    expect(failed).toEqual([{ logs: expect.stringContaining('missing') }]);

    await expect(migrate(session, [first, broken], options)).rejects.toThrow(
      /failed earlier.*migrate resolve --rolled-back/s,
    );
    // What `prisma migrate resolve --rolled-back` does:
    await session.exec('UPDATE _prisma_migrations SET rolled_back_at = now() WHERE finished_at IS NULL');
    expect(await migrate(session, [first, functionBody], options)).toEqual([functionBody.name]);
  });

  it('refuses an applied migration whose file changed, but accepts other line endings', async () => {
    await migrate(session, [first, functionBody], options);
    const crlf = migration(functionBody.name, functionBody.script.replaceAll('\n', '\r\n'));
    expect(await migrate(session, [first, crlf], options)).toEqual([]);
    const edited = migration(first.name, `${first.script}\n-- edited`);
    await expect(migrate(session, [edited, functionBody], options)).rejects.toThrow(
      /20250101000000_first was changed after it was applied/,
    );
  });
});

describe('readMigrations', () => {
  it('reads the committed migrations with Prisma-compatible checksums', () => {
    const migrations = readMigrations(findMigrationsDir());
    expect(migrations.length).toBeGreaterThan(0);
    for (const m of migrations) {
      expect(m.name).toMatch(/^\d{14}_\w+$/);
      expect(m.checksum).toBe(
        createHash('sha256')
          .update(fs.readFileSync(path.join(findMigrationsDir(), m.name, 'migration.sql')))
          .digest('hex'),
      );
    }
  });

  it('orders the folders as the Prisma CLI does: by code unit, not by collation', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-migrations-'));
    try {
      // Collation would put a before B and ignore the punctuation; Prisma compares bytes.
      for (const name of ['20250101000000_a', '20250101000000_B', '20250101000000-z', '20241231000000_x']) {
        fs.mkdirSync(path.join(dir, name));
        fs.writeFileSync(path.join(dir, name, 'migration.sql'), 'SELECT 1;');
      }
      expect(readMigrations(dir).map((m) => m.name)).toEqual([
        '20241231000000_x',
        '20250101000000-z',
        '20250101000000_B',
        '20250101000000_a',
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
