import fs from 'node:fs';
import path from 'node:path';
// The ES module build: the one `import()` loads below, with pglite-prisma-adapter's ES module build on top of it.
import type { PGlite } from '@electric-sql/pglite' with { 'resolution-mode': 'import' };

/**
 * Opens a PGlite data folder, creating it if needed. A new folder starts from a cached dump of a
 * pristine PGlite (about 1 s) instead of running initdb (about 5 s): tests create many.
 */
export async function openPGliteDataDir(dataDir: string): Promise<PGlite> {
  const isNew = !fs.existsSync(path.join(dataDir, 'PG_VERSION'));
  fs.mkdirSync(dataDir, { recursive: true });
  const { PGlite } = await loadPGlite();
  return PGlite.create({ dataDir, loadDataDir: isNew ? await pristineDataDir() : undefined });
}

/** PGlite is loaded when a data folder is opened, so an API on PostgreSQL never holds it. */
function loadPGlite(): Promise<typeof import('@electric-sql/pglite', { with: { 'resolution-mode': 'import' } })> {
  return import('@electric-sql/pglite');
}

let pristine: Promise<Blob> | undefined;

/**
 * A gzipped dump of a freshly initialised PGlite, cached on disk per PGlite version (initdb output
 * depends only on it). The file is shared with the Prisma CLI's offline schema engine
 * (tools/prisma-engine/pglite.mjs), which uses it for shadow databases.
 */
function pristineDataDir(): Promise<Blob> {
  pristine ??= loadOrCreatePristine();
  return pristine;
}

async function loadOrCreatePristine(): Promise<Blob> {
  const file = pristineCacheFile();
  if (fs.existsSync(file)) return new Blob([fs.readFileSync(file)]);
  const { PGlite } = await loadPGlite();
  const db = await PGlite.create();
  const dump = await db.dumpDataDir('gzip');
  await db.close();
  saveCache(file, Buffer.from(await dump.arrayBuffer()));
  return dump;
}

/** `node_modules/.cache/keyway/pglite-<version>-pristine.tar.gz` next to the PGlite package. */
function pristineCacheFile(): string {
  const packageDir = path.resolve(path.dirname(require.resolve('@electric-sql/pglite')), '..');
  const { version } = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version: string };
  const dir = process.env['KEYWAY_PGLITE_CACHE_DIR'] ?? path.resolve(packageDir, '..', '..', '.cache', 'keyway');
  return path.join(dir, `pglite-${version}-pristine.tar.gz`);
}

/**
 * Best effort: without a writable cache, the next new folder builds the dump again. Concurrent processes may build the
 * cache at once; the rename makes each write all-or-nothing.
 */
function saveCache(file: string, content: Buffer): void {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(temp, content);
    fs.renameSync(temp, file);
  } catch {
    fs.rmSync(temp, { force: true });
  }
}
