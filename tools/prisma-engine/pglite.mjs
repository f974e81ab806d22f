// PGlite (embedded, WASM PostgreSQL) for the schema engine: pglite-prisma-adapter plus fixes, a pid lock
// on the data folder and a cached pristine data directory for shadow databases and new folders.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { DriverAdapterError } from '@prisma/driver-adapter-utils';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { acquirePidLock } from './pid-lock.mjs';

/** @typedef {import('@prisma/driver-adapter-utils').SqlMigrationAwareDriverAdapterFactory} SqlMigrationAwareDriverAdapterFactory */

const require = createRequire(import.meta.url);
const LOCK_OWNER = 'prisma schema engine (tools/prisma-engine)';

/**
 * The migration-aware adapter factory the engine drives. The engine connects as it starts, so every
 * command that runs the engine opens and locks the data folder until the bridge exits.
 * @implements {SqlMigrationAwareDriverAdapterFactory}
 */
export class PGliteAdapterFactory {
  provider = /** @type {const} */ ('postgres');
  adapterName = 'pglite-prisma-adapter (keyway offline bridge)';
  /** @type {Promise<PGlite> | undefined} */
  #main;
  /** @type {(() => void) | undefined} */
  #releaseLock;

  /** @param {string} dataDir */
  constructor(dataDir) {
    this.dataDir = dataDir;
  }

  async connect() {
    this.#main ??= this.#openMain();
    return connectAdapter(await this.#main);
  }

  /**
   * pglite-prisma-adapter's shadow database is a fresh in-memory PGlite: ~5 s of initdb every time.
   * Loading a cached dump of a pristine one takes under a second.
   */
  async connectToShadowDb() {
    const db = await PGlite.create({ loadDataDir: await pristineDataDir() });
    const adapter = await connectAdapter(db);
    adapter.dispose = () => db.close();
    return adapter;
  }

  /** Closes the data folder (PGlite checkpoints on close) and releases its lock. */
  async close() {
    try {
      // A folder that failed to open (refused lock) was already reported to the CLI.
      const main = await this.#main?.catch(() => undefined);
      await main?.close();
    } finally {
      this.#releaseLock?.();
    }
  }

  async #openMain() {
    this.#releaseLock = acquirePidLock(this.dataDir, LOCK_OWNER);
    return openDataDir(this.dataDir);
  }
}

/**
 * Opens (creating if needed) a PGlite data folder; a new one starts from the pristine dump instead of
 * running initdb.
 * @param {string} dataDir
 */
async function openDataDir(dataDir) {
  const isNew = !fs.existsSync(path.join(dataDir, 'PG_VERSION'));
  return PGlite.create({ dataDir, loadDataDir: isNew ? await pristineDataDir() : undefined });
}

/** @param {PGlite} db */
async function connectAdapter(db) {
  const adapter = await new PrismaPGlite(db).connect();
  // The adapter sends argument-less SQL through the extended protocol, which takes one statement only
  // (`db execute` scripts, migrations), and does not await PGlite.exec() in executeScript (errors
  // escape, statements race the next query). PGlite.exec() runs whole scripts in the simple protocol.
  const executeRaw = adapter.executeRaw.bind(adapter);
  adapter.executeRaw = async (query) => {
    if (query.args.length > 0) return executeRaw(query);
    const results = await execScript(db, query.sql);
    return results.reduce((sum, result) => sum + (result.affectedRows ?? 0), 0);
  };
  adapter.executeScript = async (script) => {
    await execScript(db, script);
  };
  return adapter;
}

/** @param {PGlite} db @param {string} script */
async function execScript(db, script) {
  try {
    return await db.exec(script);
  } catch (error) {
    throw toDriverAdapterError(error);
  }
}

/**
 * Reports PostgreSQL errors the way adapters do, so the engine prints the server's message and code.
 * @param {any} error
 */
function toDriverAdapterError(error) {
  if (typeof error?.code !== 'string' || typeof error?.severity !== 'string') return error;
  const { code, severity, message, detail, column, hint } = error;
  return new DriverAdapterError({ kind: 'postgres', code, severity, message, detail, column, hint });
}

/** @type {Promise<Blob> | undefined} */
let pristine;

/**
 * A gzipped dump of a freshly initialised PGlite, cached on disk per PGlite version (initdb output
 * depends only on it).
 * @returns {Promise<Blob>}
 */
function pristineDataDir() {
  pristine ??= loadOrCreatePristine();
  return pristine;
}

async function loadOrCreatePristine() {
  const file = pristineCacheFile();
  try {
    return new Blob([fs.readFileSync(file)]);
  } catch {
    // Not cached yet (or unreadable): build it.
  }
  const db = await PGlite.create();
  const dump = await db.dumpDataDir('gzip');
  await db.close();
  writeAtomically(file, Buffer.from(await dump.arrayBuffer()));
  return dump;
}

/**
 * `node_modules/.cache/keyway/pglite-<version>-pristine.tar.gz` next to the PGlite package; shared with
 * the API (apps/api/src/infra/database/pglite-files.ts), which starts new data folders from it.
 */
function pristineCacheFile() {
  const packageDir = path.resolve(path.dirname(require.resolve('@electric-sql/pglite')), '..');
  const { version } = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
  const dir = process.env['KEYWAY_PGLITE_CACHE_DIR'] ?? path.resolve(packageDir, '..', '..', '.cache', 'keyway');
  return path.join(dir, `pglite-${version}-pristine.tar.gz`);
}

/**
 * Concurrent bridges may build the cache at once; rename makes each write all-or-nothing.
 * @param {string} file @param {Buffer} content
 */
function writeAtomically(file, content) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, content);
  fs.renameSync(temp, file);
}

// One-shot commands (`schema-engine cli …`). A PGlite "database" is its folder.

/** @param {string} dataDir */
export function createDatabase(dataDir) {
  fs.mkdirSync(dataDir, { recursive: true });
}

/** @param {string} dataDir */
export function dropDatabase(dataDir) {
  const release = acquirePidLock(dataDir, LOCK_OWNER);
  try {
    fs.rmSync(dataDir, { recursive: true, force: true });
  } finally {
    release();
  }
}
