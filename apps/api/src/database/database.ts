import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from '../generated/prisma/client';
import { findMigrationsDir, migrate, readMigrations, type SqlSession } from './migrator';
import { acquirePidLock } from './pid-lock';
import { openPGliteDataDir } from './pglite-files';

export interface DatabaseOptions {
  /** postgresql://… selects PostgreSQL; without it Keyway uses the embedded PGlite in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  logger?: { log(msg: string): void; warn?(msg: string): void };
}

export interface Database {
  prisma: PrismaClient;
  kind: 'postgres' | 'pglite';
  close(): Promise<void>;
}

const DEFAULT_POOL_SIZE = 10;

/** Opens the database, applies pending migrations, and returns a connected Prisma client. */
export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  return opts.databaseUrl ? openPostgres(opts.databaseUrl, opts) : openPGlite(path.join(opts.dataDir, 'pglite'), opts);
}

async function openPostgres(url: string, opts: DatabaseOptions): Promise<Database> {
  const max = poolSize();
  await migratePostgres(url, opts);
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max }) });
  return { prisma, kind: 'postgres', close: once(() => prisma.$disconnect()) };
}

/** Migrations run on a connection of their own: the advisory lock belongs to one session. */
async function migratePostgres(url: string, opts: DatabaseOptions): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const session: SqlSession = {
      query: async <Row>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as Row[],
      exec: async (script) => {
        await client.query(script);
      },
    };
    await migrate(session, readMigrations(findMigrationsDir()), { advisoryLock: true, logger: opts.logger });
  } finally {
    await client.end();
  }
}

async function openPGlite(dataDir: string, opts: DatabaseOptions): Promise<Database> {
  const releaseLock = acquirePidLock(dataDir, 'Keyway API');
  let db: PGlite | undefined;
  try {
    db = await openPGliteDataDir(dataDir);
    await migratePGlite(db, opts);
    const prisma = new PrismaClient({ adapter: new PrismaPGlite(db) });
    const opened = db;
    const close = async (): Promise<void> => {
      try {
        await prisma.$disconnect();
      } finally {
        // Closing checkpoints the folder; only then may another process open it.
        await opened.close().finally(releaseLock);
      }
    };
    return { prisma, kind: 'pglite', close: once(close) };
  } catch (error) {
    await db?.close().catch(() => undefined);
    releaseLock();
    throw error;
  }
}

async function migratePGlite(db: PGlite, opts: DatabaseOptions): Promise<void> {
  const session: SqlSession = {
    query: async <Row>(sql: string, params?: unknown[]) => (await db.query<Row>(sql, params)).rows,
    exec: async (script) => {
      await db.exec(script);
    },
  };
  // The pid lock already makes this process the only one on the folder.
  await migrate(session, readMigrations(findMigrationsDir()), { advisoryLock: false, logger: opts.logger });
}

function poolSize(): number {
  const configured = Number(process.env['KEYWAY_DB_POOL_SIZE'] ?? DEFAULT_POOL_SIZE);
  if (!Number.isInteger(configured) || configured < 1) {
    throw new Error(`KEYWAY_DB_POOL_SIZE must be a positive integer, got "${process.env['KEYWAY_DB_POOL_SIZE']}".`);
  }
  return configured;
}

/** close() may be called by several shutdown paths; only the first does the work. */
function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= fn());
}
