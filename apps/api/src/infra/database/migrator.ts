import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

// Applies prisma/migrations at start-up, recording them in `_prisma_migrations` exactly like
// `prisma migrate deploy` does, so that the server and the Prisma CLI agree on what is applied.

/** One connection to the database; migrations need a single session (transactions, advisory lock). */
export interface SqlSession {
  /** A parameterised query ($1, $2, …) returning rows as objects. */
  query<Row>(sql: string, params?: unknown[]): Promise<Row[]>;
  /** A script of one or more statements, run through the simple query protocol. */
  exec(script: string): Promise<void>;
}

export interface Migration {
  /** The folder name, e.g. `20250101000000_init`. */
  name: string;
  script: string;
  /** sha256 of migration.sql, hex: what Prisma stores in `_prisma_migrations.checksum`. */
  checksum: string;
}

export interface MigrateOptions {
  /**
   * Take PostgreSQL's advisory lock while migrating, so that replicas starting together (or a
   * concurrent `prisma migrate deploy`) apply each migration once. PGlite has a single process.
   */
  advisoryLock: boolean;
  logger?: { log(message: string): void; warn?(message: string): void };
}

/** The lock key the Prisma schema engine uses for migrations: sharing it serialises us with the CLI. */
const PRISMA_ADVISORY_LOCK_KEY = 72707369;

/** The table as the Prisma schema engine creates it on PostgreSQL. */
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

const UNDEFINED_TABLE = '42P01';

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | string | null;
}

/**
 * The migrations folder: KEYWAY_MIGRATIONS_DIR, else the first `prisma/migrations` found walking up
 * from this file (it runs from apps/api/src under Jest and from dist/apps/api/… when built).
 */
export function findMigrationsDir(from: string = __dirname): string {
  const fromEnv = process.env['KEYWAY_MIGRATIONS_DIR'];
  if (fromEnv) return path.resolve(fromEnv);
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'prisma', 'migrations');
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) {
      throw new Error(`No prisma/migrations folder found above ${from}; set KEYWAY_MIGRATIONS_DIR.`);
    }
  }
}

/** Every `<name>/migration.sql` in the folder, in the order Prisma applies them. */
export function readMigrations(dir: string): Migration[] {
  // The Prisma CLI's order: its schema engine sorts the names as bytes (Rust's str::cmp), which for these names is
  // the code-unit order of sort()'s default. localeCompare would collate instead (case and punctuation weigh less),
  // and would load ICU's collation data into every API process for a sort of ASCII names.
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const file = path.join(dir, name, 'migration.sql');
      if (!fs.existsSync(file)) throw new Error(`Migration folder ${name} has no migration.sql (${file}).`);
      const bytes = fs.readFileSync(file);
      return { name, script: bytes.toString('utf8'), checksum: sha256(bytes) };
    });
}

/**
 * Applies the pending migrations, each in its own transaction. On an up-to-date database this costs
 * one query. Throws, applying nothing, if a migration failed earlier or an applied one was edited.
 * @returns the names of the migrations applied now
 */
export async function migrate(
  session: SqlSession,
  migrations: Migration[],
  options: MigrateOptions,
): Promise<string[]> {
  const rows = await readAppliedRows(session);
  if (rows !== null) warnAboutUnknownMigrations(migrations, rows, options);
  if (rows !== null && isUpToDate(migrations, rows)) return [];
  if (!options.advisoryLock) return applyPending(session, migrations, options);
  await session.query(`SELECT pg_advisory_lock(${PRISMA_ADVISORY_LOCK_KEY})`);
  try {
    // Judge the history only under the lock: another process may have been applying migrations, and
    // its unfinished rows look just like failed ones.
    return await applyPending(session, migrations, options);
  } finally {
    await session.query(`SELECT pg_advisory_unlock(${PRISMA_ADVISORY_LOCK_KEY})`);
  }
}

async function applyPending(session: SqlSession, migrations: Migration[], options: MigrateOptions): Promise<string[]> {
  await session.exec(CREATE_MIGRATIONS_TABLE);
  const pending = pendingMigrations(migrations, (await readAppliedRows(session)) ?? []);
  for (const migration of pending) {
    const started = Date.now();
    await applyOne(session, migration);
    options.logger?.log(`Applied migration ${migration.name} (${Date.now() - started} ms)`);
  }
  return pending.map((migration) => migration.name);
}

/**
 * The script and its `_prisma_migrations` row commit together. On failure nothing of the script
 * remains, and a failed row (no finished_at, the error in logs) is recorded as `prisma migrate deploy`
 * would, so that neither the server nor the CLI continues until someone resolves it.
 */
async function applyOne(session: SqlSession, migration: Migration): Promise<void> {
  await session.exec('BEGIN');
  try {
    await session.exec(migration.script);
    await session.query(
      `INSERT INTO "_prisma_migrations" ("id", "checksum", "migration_name", "started_at", "finished_at", "applied_steps_count")
       VALUES ($1, $2, $3, now(), clock_timestamp(), 1)`,
      [randomUUID(), migration.checksum, migration.name],
    );
    await session.exec('COMMIT');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    await recordFailure(session, migration, reason).catch(() => {
      // The connection itself is gone: the server rolls back on disconnect and nothing can be recorded.
    });
    throw new Error(
      `Migration ${migration.name} failed and was rolled back: ${reason}\n` +
        `Fix it, then run \`npx prisma migrate resolve --rolled-back ${migration.name}\` and start again.`,
      { cause: error },
    );
  }
}

async function recordFailure(session: SqlSession, migration: Migration, reason: string): Promise<void> {
  await session.exec('ROLLBACK');
  await session.query(
    `INSERT INTO "_prisma_migrations" ("id", "checksum", "migration_name", "logs", "applied_steps_count")
     VALUES ($1, $2, $3, $4, 0)`,
    [randomUUID(), migration.checksum, migration.name, reason],
  );
}

/** @returns null when the table does not exist yet (a new database) */
async function readAppliedRows(session: SqlSession): Promise<AppliedRow[] | null> {
  try {
    return await session.query<AppliedRow>(
      `SELECT "migration_name", "checksum", "finished_at" FROM "_prisma_migrations" WHERE "rolled_back_at" IS NULL`,
    );
  } catch (error) {
    if ((error as { code?: unknown }).code === UNDEFINED_TABLE) return null;
    throw error;
  }
}

/** Every migration applied, none failed, none edited: the start-up fast path. */
function isUpToDate(migrations: Migration[], rows: AppliedRow[]): boolean {
  const applied = new Map(rows.map((row) => [row.migration_name, row]));
  return (
    rows.every((row) => row.finished_at !== null) &&
    migrations.every((m) => {
      const row = applied.get(m.name);
      return row !== undefined && matchesChecksum(m, row.checksum);
    })
  );
}

/** Checks the recorded history against the folder and returns what remains to apply. */
function pendingMigrations(migrations: Migration[], rows: AppliedRow[]): Migration[] {
  const failed = rows.filter((row) => row.finished_at === null).map((row) => row.migration_name);
  if (failed.length > 0) {
    throw new Error(
      `Migration ${failed.join(', ')} failed earlier; the database needs attention before Keyway can start. ` +
        `See \`npx prisma migrate status\`, then \`npx prisma migrate resolve --rolled-back <name>\` (or --applied).`,
    );
  }
  const applied = new Map(rows.map((row) => [row.migration_name, row.checksum]));
  const edited = migrations.filter((m) => applied.has(m.name) && !matchesChecksum(m, applied.get(m.name) ?? ''));
  if (edited.length > 0) {
    throw new Error(
      `Migration ${edited.map((m) => m.name).join(', ')} was changed after it was applied to this database ` +
        `(checksum mismatch). Applied migrations must not be edited: restore the file and add a new migration.`,
    );
  }
  return migrations.filter((m) => !applied.has(m.name));
}

function warnAboutUnknownMigrations(migrations: Migration[], rows: AppliedRow[], options: MigrateOptions): void {
  const known = new Set(migrations.map((m) => m.name));
  const unknown = rows.map((row) => row.migration_name).filter((name) => !known.has(name));
  if (unknown.length > 0) {
    options.logger?.warn?.(
      `The database has migrations this build does not know (${unknown.join(', ')}): is this build older than the database?`,
    );
  }
}

/** Like Prisma, accept the file with either line ending, since Git may convert them on checkout. */
function matchesChecksum(migration: Migration, checksum: string): boolean {
  if (migration.checksum === checksum) return true;
  const { script } = migration;
  return [script.replaceAll('\r\n', '\n'), script.replaceAll(/\r?\n/g, '\r\n')].some(
    (variant) => sha256(Buffer.from(variant, 'utf8')) === checksum,
  );
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
