// A pid lock file next to a PGlite data folder.
//
// PGlite runs PostgreSQL inside one process and has no cross-process locking: two processes opening the
// same folder were seen losing committed writes. Every Keyway process that opens a PGlite folder (this
// bridge, the API in apps/api/src/infra/database/pid-lock.ts) first takes `<folder>.lock`. Both implementations
// must keep the same format and rules:
//   - the file is created exclusively (O_EXCL) and holds JSON {"pid", "hostname", "owner", "createdAt"};
//   - a lock whose pid is not alive is stale and may be taken over;
//   - a lock carrying our own pid is stale too unless this process holds it right now (a container
//     restarted after a crash gets the same low pid again);
//   - hostname and owner are only shown in error messages.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Lock files held by this process, by absolute path. */
const heldHere = new Set();

/** @param {string} dataDir */
export function lockPathFor(dataDir) {
  return `${path.resolve(dataDir)}.lock`;
}

/**
 * Takes the lock for a PGlite folder or throws a readable error naming the holder.
 * @param {string} dataDir
 * @param {string} owner who takes it, for the holder's error messages (e.g. "prisma schema engine")
 * @returns {() => void} releases the lock; safe to call more than once
 */
export function acquirePidLock(dataDir, owner) {
  const lockPath = lockPathFor(dataDir);
  const mine = JSON.stringify({
    pid: process.pid,
    hostname: os.hostname(),
    owner,
    createdAt: new Date().toISOString(),
  });
  fs.mkdirSync(path.dirname(lockPath), { recursive: true });
  // A few rounds suffice: each round either creates the file, fails on a live holder, or clears a stale one.
  for (let round = 0; round < 5; round++) {
    if (tryCreate(lockPath, mine)) {
      heldHere.add(lockPath);
      return () => release(lockPath, mine);
    }
    const holder = readHolder(lockPath);
    if (holder === null) continue; // released meanwhile
    if (isLive(holder, lockPath)) throw lockedError(dataDir, lockPath, holder);
    removeStale(lockPath, holder.raw);
  }
  throw new Error(`Could not take the lock ${lockPath}: other processes keep competing for it.`);
}

/** @param {string} lockPath @param {string} content */
function tryCreate(lockPath, content) {
  try {
    fs.writeFileSync(lockPath, content, { flag: 'wx' });
    return true;
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error).code === 'EEXIST') return false;
    throw error;
  }
}

/**
 * @typedef {{ raw: string, pid: number, hostname?: string, owner?: string, createdAt?: string }} Holder
 * @param {string} lockPath
 * @returns {Holder | null} null when the file vanished; pid 0 when unreadable (treated as stale)
 */
function readHolder(lockPath) {
  let raw;
  try {
    raw = fs.readFileSync(lockPath, 'utf8');
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const parsed = JSON.parse(raw);
    return { ...parsed, raw, pid: Number.isInteger(parsed.pid) ? parsed.pid : 0 };
  } catch {
    // A crash between create and write leaves an empty file.
    return { raw, pid: 0 };
  }
}

/** @param {Holder} holder @param {string} lockPath */
function isLive(holder, lockPath) {
  if (holder.pid <= 0) return false;
  if (holder.pid === process.pid) return heldHere.has(lockPath);
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return /** @type {NodeJS.ErrnoException} */ (error).code === 'EPERM';
  }
}

/**
 * Moves the stale file aside atomically, so that two processes clearing it at once cannot delete a lock
 * the other has just created; if what we moved is no longer the stale lock we judged, we put it back.
 * @param {string} lockPath @param {string} staleRaw
 */
function removeStale(lockPath, staleRaw) {
  const aside = `${lockPath}.${process.pid}.stale`;
  try {
    fs.renameSync(lockPath, aside);
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error).code === 'ENOENT') return;
    throw error;
  }
  if (fs.readFileSync(aside, 'utf8') !== staleRaw) {
    try {
      fs.linkSync(aside, lockPath);
    } catch {
      // Someone created a newer lock meanwhile; theirs wins.
    }
  }
  fs.rmSync(aside, { force: true });
}

/** @param {string} lockPath @param {string} mine */
function release(lockPath, mine) {
  if (!heldHere.delete(lockPath)) return;
  try {
    if (fs.readFileSync(lockPath, 'utf8') === mine) fs.rmSync(lockPath);
  } catch {
    // Already gone: nothing to release.
  }
}

/** @param {string} dataDir @param {string} lockPath @param {Holder} holder */
function lockedError(dataDir, lockPath, holder) {
  const where = holder.hostname ? ` on ${holder.hostname}` : '';
  return new Error(
    `The PGlite database ${dataDir} is in use by ${holder.owner ?? 'another process'} (pid ${holder.pid}${where}). ` +
      `PGlite allows one process at a time: stop it first. If no such process exists, delete ${lockPath}.`,
  );
}
