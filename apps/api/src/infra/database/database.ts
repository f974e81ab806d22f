import path from 'node:path';
// The ES module build, which openPGliteDataDir loads, under pglite-prisma-adapter's ES module build imported below.
import type { PGlite } from '@electric-sql/pglite' with { 'resolution-mode': 'import' };
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../../generated/prisma/client';
import { findMigrationsDir, migrate, readMigrations, type SqlSession } from './migrator';
import { acquirePidLock } from './pid-lock';
import { openPGliteDataDir } from './pglite-files';
import { PreparedSql } from './prepared-sql';
import { describeUnavailable, isDatabaseUnavailable } from './unavailable';

export interface DatabaseOptions {
  /** postgresql://… selects PostgreSQL; without it Keyway uses the embedded PGlite in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  logger?: { log(msg: string): void; warn?(msg: string): void };
  /** PostgreSQL only: without them a database that accepts connections but never answers hangs every request. */
  timeouts?: { connectTimeoutMs: number; statementTimeoutMs: number; startRetrySeconds: number };
}

export interface Database {
  prisma: PrismaClient;
  /** The hot paths' statements (prepared-sql.ts), on Prisma's own pool. */
  sql: PreparedSql;
  kind: 'postgres' | 'pglite';
  close(): Promise<void>;
}

const DEFAULT_POOL_SIZE = 10;
const DEFAULT_TIMEOUTS = { connectTimeoutMs: 5_000, statementTimeoutMs: 15_000, startRetrySeconds: 60 };
/** The client-side cut-off comes this long after statement_timeout, so a live server's own cancel wins. */
const SILENT_SERVER_GRACE_MS = 1_000;

/** Opens the database, applies pending migrations, and returns a connected Prisma client. */
export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  return opts.databaseUrl ? openPostgres(opts.databaseUrl, opts) : openPGlite(path.join(opts.dataDir, 'pglite'), opts);
}

async function openPostgres(url: string, opts: DatabaseOptions): Promise<Database> {
  const max = poolSize();
  const timeouts = opts.timeouts ?? DEFAULT_TIMEOUTS;
  await retryWhileUnreachable(
    () => migratePostgres(url, opts, timeouts.connectTimeoutMs),
    timeouts.startRetrySeconds,
    opts,
  );
  // One pool for Prisma and the prepared statements; Prisma's disconnect ends it.
  const pool = new pg.Pool(poolConfig(url, max, timeouts));
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  return { prisma, sql: new PreparedSql(prisma, pool), kind: 'postgres', close: once(() => prisma.$disconnect()) };
}

/**
 * node-postgres pool settings that bound every wait: connecting (and waiting for a free connection:
 * connectionTimeoutMillis covers both), each statement on the server (statement_timeout, which also
 * ends lock waits), and a server that stopped answering altogether (query_timeout, client side; the
 * pool then discards that connection). Errors they raise are answered 503 (see unavailable.ts).
 */
function poolConfig(
  url: string,
  max: number,
  timeouts: { connectTimeoutMs: number; statementTimeoutMs: number },
): pg.PoolConfig {
  return {
    connectionString: url,
    max,
    connectionTimeoutMillis: timeouts.connectTimeoutMs,
    statement_timeout: timeouts.statementTimeoutMs,
    query_timeout: timeouts.statementTimeoutMs + SILENT_SERVER_GRACE_MS,
    idleTimeoutMillis: 30_000,
    // Notices a peer that vanished (no RST) on idle pooled connections.
    keepAlive: true,
    // Prisma reads timestamptz as if the session ran in UTC; a server or database set to another zone would move
    // every instant it reads by the offset. Each connection says UTC, whatever the server's default.
    options: '-c TimeZone=UTC',
  };
}

/**
 * A database that is still starting (or a network not yet up, as in a compose file) is retried with
 * backoff for `seconds`, one log line per attempt; anything else (bad password, failed migration)
 * fails at once.
 */
async function retryWhileUnreachable(
  attempt: () => Promise<void>,
  seconds: number,
  opts: DatabaseOptions,
): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  for (let delayMs = 500; ; delayMs = Math.min(delayMs * 2, 5_000)) {
    try {
      return await attempt();
    } catch (error) {
      if (!isDatabaseUnavailable(error) || Date.now() + delayMs > deadline) throw error;
      const left = Math.ceil((deadline - Date.now()) / 1000);
      opts.logger?.warn?.(
        `Database not reachable (${describeUnavailable(error)}); retrying in ${delayMs} ms (giving up in ${left} s)`,
      );
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

/**
 * Migrations run on a connection of their own: the advisory lock belongs to one session. Only the
 * connection is bounded here; a long migration may take its time.
 */
async function migratePostgres(url: string, opts: DatabaseOptions, connectTimeoutMs: number): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs });
  // An error after connecting (the server going away mid-migration) rejects the running query; without
  // this listener it would also be thrown as an unhandled 'error' event and kill the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
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
    // Loaded here, not at the top: it requires PGlite, which an API on PostgreSQL never needs.
    const { PrismaPGlite } = await import('pglite-prisma-adapter');
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
    return { prisma, sql: new PreparedSql(prisma), kind: 'pglite', close: once(close) };
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
