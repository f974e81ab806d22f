import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from './database';
import { DatabaseNotifications } from './database-notifications';
import type { PrismaClient } from '../../generated/prisma/client';
import type { KeywayConfig } from '../config/config';

/**
 * For tests: a fresh, migrated database of either kind the product runs on — an embedded PGlite in a scratch
 * folder, or a new database on the PostgreSQL server at KEYWAY_TEST_POSTGRES_URL (default 127.0.0.1:5432) —
 * and its disposal. No mocks: the SQL is what such tests are about. (Not part of the build: *.testing.ts.)
 */
export const POSTGRES_ADMIN_URL =
  process.env['KEYWAY_TEST_POSTGRES_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface ScratchDatabase {
  db: Database;
  /** PostgreSQL: the scratch database's URL (a second connection to it, as another replica would open). */
  url?: string;
  dispose(): Promise<void>;
}

export async function openScratchDatabase(kind: 'pglite' | 'postgres'): Promise<ScratchDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-test-'));
  const removeDataDir = () => fs.rmSync(dataDir, { recursive: true, force: true });
  if (kind === 'pglite') {
    const db = await openDatabase({ dataDir });
    return { db, dispose: async () => (await db.close(), removeDataDir()) };
  }
  const name = `keyway_test_${randomBytes(6).toString('hex')}`;
  await postgresAdminQuery(`CREATE DATABASE "${name}"`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  const db = await openDatabase({ databaseUrl: url.toString(), dataDir });
  return {
    db,
    url: url.toString(),
    dispose: async () => {
      await db.close();
      await postgresAdminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      removeDataDir();
    },
  };
}

/** One statement on the server's maintenance database (CREATE / DROP DATABASE). */
export async function postgresAdminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Notifications of a single process (as on the embedded database): what services' caches need in unit tests. */
export function singleProcessNotifications(prisma: PrismaClient): DatabaseNotifications {
  return new DatabaseNotifications(prisma, { databaseUrl: undefined } as KeywayConfig);
}
