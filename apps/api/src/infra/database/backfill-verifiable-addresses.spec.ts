import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite' with { 'resolution-mode': 'import' };
import { findMigrationsDir, migrate, readMigrations, type SqlSession } from './migrator';
import { openPGliteDataDir } from './pglite-files';

const BACKFILL = '20261121090000_backfill_verifiable_addresses';

/** The data migration that gives identities created before verifiable addresses existed their rows. */
describe(`migration ${BACKFILL}`, () => {
  let dataDir: string;
  let db: PGlite;
  let session: SqlSession;
  const all = readMigrations(findMigrationsDir());
  const before = all.slice(
    0,
    all.findIndex((migration) => migration.name === BACKFILL),
  );
  const backfill = all.find((migration) => migration.name === BACKFILL);

  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-backfill-'));
    db = await openPGliteDataDir(dataDir);
    session = {
      query: async <Row>(sql: string, params?: unknown[]) => (await db.query<Row>(sql, params)).rows,
      exec: async (script) => {
        await db.exec(script);
      },
    };
    await migrate(session, before, { advisoryLock: false });
  });

  afterEach(async () => {
    await db.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const project = '00000000-0000-4000-8000-000000000001';
  async function identity(id: string, traits: object, schemaVersion = 1): Promise<void> {
    await session.query(
      `INSERT INTO identities (id, project_id, traits, schema_version, updated_at) VALUES ($1, $2, $3, $4, now())`,
      [id, project, JSON.stringify(traits), schemaVersion],
    );
  }
  const addresses = () =>
    session.query<{ identity_id: string; via: string; value: string; verified: boolean }>(
      'SELECT identity_id, via::text AS via, value, verified FROM verifiable_addresses ORDER BY identity_id, via',
    );

  it('adds an unverified, normalised row per verifiable trait of each identity, following its schema version', async () => {
    expect(backfill).toBeDefined();
    await session.query(`INSERT INTO projects (id, slug, name, updated_at) VALUES ($1, 'p', 'P', now())`, [project]);
    // Version 2 of the project's schema has a verifiable phone besides the email; version 1 was never stored (built-in default).
    const v2 = {
      type: 'object',
      properties: {
        email: { type: 'string', keyway: { verification: { via: 'email' } } },
        phone: { type: 'string', keyway: { verification: { via: 'phone' } } },
        nickname: { type: 'string' },
      },
    };
    await session.query(
      `INSERT INTO identity_schemas (id, project_id, version, schema) VALUES (gen_random_uuid(), $1, 2, $2)`,
      [project, JSON.stringify(v2)],
    );
    await identity('00000000-0000-4000-8000-00000000000a', { email: '  Ada@Example.COM ', name: 'Ada' });
    await identity(
      '00000000-0000-4000-8000-00000000000b',
      { email: 'bob@example.com', phone: '+41790000000', nickname: 'bob@elsewhere.com' },
      2,
    );
    await identity('00000000-0000-4000-8000-00000000000c', { name: 'No address' });
    // Already has its row (created after the feature): left as it is, verified stays verified.
    await identity('00000000-0000-4000-8000-00000000000d', { email: 'dora@example.com' });
    await session.query(
      `INSERT INTO verifiable_addresses (id, project_id, identity_id, via, value, verified, updated_at) VALUES (gen_random_uuid(), $1, $2, 'email', 'dora@example.com', true, now())`,
      [project, '00000000-0000-4000-8000-00000000000d'],
    );
    // Claims an address another identity holds: the holder keeps it.
    await identity('00000000-0000-4000-8000-00000000000e', { email: 'DORA@example.com' });

    await migrate(session, [...before, backfill!], { advisoryLock: false });

    expect(await addresses()).toEqual([
      { identity_id: '00000000-0000-4000-8000-00000000000a', via: 'email', value: 'ada@example.com', verified: false },
      { identity_id: '00000000-0000-4000-8000-00000000000b', via: 'email', value: 'bob@example.com', verified: false },
      { identity_id: '00000000-0000-4000-8000-00000000000b', via: 'phone', value: '+41790000000', verified: false },
      { identity_id: '00000000-0000-4000-8000-00000000000d', via: 'email', value: 'dora@example.com', verified: true },
    ]);
  });
});
