import { pbkdf2, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { verify as argon2Verify } from '@node-rs/argon2';

/**
 * Password hashes we can verify: our own argon2id, and what teams migrating from other identity
 * providers bring along (bcrypt, passlib-style pbkdf2-sha256). Imported hashes are verified as they are
 * and replaced by an argon2id hash at our parameters on the next successful login.
 */
export type PasswordHashFormat = 'argon2' | 'bcrypt' | 'pbkdf2-sha256';

/**
 * Cost ceilings for imported hashes. A stored hash's cost is paid on every login attempt, including an
 * attacker's, so an absurd one (argon2 with gigabytes, bcrypt cost 25) would make each attempt a
 * denial-of-service amplifier.
 */
const IMPORT_LIMITS = {
  argon2MemoryKiB: 262_144, // 256 MiB
  argon2Iterations: 20,
  argon2Parallelism: 16,
  bcryptCost: 16,
  pbkdf2Iterations: 5_000_000,
} as const;

const pbkdf2Async = promisify(pbkdf2);

// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash> (PHC string format; argon2i and argon2d verify the same way)
const ARGON2 = /^\$argon2(?:id|i|d)\$v=(?:16|19)\$m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;
// $2a$ / $2b$ / $2y$ (the same algorithm; the letter only records which implementation bug was fixed)
const BCRYPT = /^\$2[aby]\$(\d{2})\$[./A-Za-z0-9]{53}$/;
// passlib: $pbkdf2-sha256$29000$<salt ab64>$<hash ab64>; PHC: $pbkdf2-sha256$i=29000[,l=32]$<salt b64>$<hash b64>
const PBKDF2_SHA256 = /^\$pbkdf2-sha256\$(?:i=)?(\d+)(?:,l=\d+)?\$([A-Za-z0-9+/.]+)\$([A-Za-z0-9+/.]+)$/;

/** The format of a stored hash, or undefined if we cannot verify it. Does not check cost limits. */
export function passwordHashFormat(hash: string): PasswordHashFormat | undefined {
  if (ARGON2.test(hash)) return 'argon2';
  if (BCRYPT.test(hash)) return 'bcrypt';
  if (PBKDF2_SHA256.test(hash)) return 'pbkdf2-sha256';
  return undefined;
}

/** The algorithm a stored hash names (argon2id, bcrypt, pbkdf2-sha256…), for admins following a migration. */
export function passwordHashAlgorithm(hash: string): string {
  const format = passwordHashFormat(hash);
  if (format === 'argon2') return hash.split('$')[1] ?? 'argon2';
  return format ?? 'unknown';
}

/** Why an imported hash is refused (unknown format, malformed, or too costly), or undefined if it is fine. */
export function importedHashProblem(hash: string): string | undefined {
  const argon2 = ARGON2.exec(hash);
  if (argon2) {
    const [memory, iterations, parallelism] = argon2.slice(1).map(Number) as [number, number, number];
    if (
      memory > IMPORT_LIMITS.argon2MemoryKiB ||
      iterations > IMPORT_LIMITS.argon2Iterations ||
      parallelism > IMPORT_LIMITS.argon2Parallelism
    ) {
      return `argon2 parameters above the import limits (m ≤ ${IMPORT_LIMITS.argon2MemoryKiB}, t ≤ ${IMPORT_LIMITS.argon2Iterations}, p ≤ ${IMPORT_LIMITS.argon2Parallelism})`;
    }
    return undefined;
  }
  const bcryptMatch = BCRYPT.exec(hash);
  if (bcryptMatch) {
    const cost = Number(bcryptMatch[1]);
    if (cost < 4 || cost > IMPORT_LIMITS.bcryptCost)
      return `bcrypt cost must be between 4 and ${IMPORT_LIMITS.bcryptCost}`;
    return undefined;
  }
  const pbkdf2Match = PBKDF2_SHA256.exec(hash);
  if (pbkdf2Match) {
    const iterations = Number(pbkdf2Match[1]);
    if (iterations < 1 || iterations > IMPORT_LIMITS.pbkdf2Iterations)
      return `pbkdf2-sha256 iterations must be between 1 and ${IMPORT_LIMITS.pbkdf2Iterations}`;
    const salt = adaptedBase64(pbkdf2Match[2] ?? '');
    const derived = adaptedBase64(pbkdf2Match[3] ?? '');
    if (salt.length === 0 || derived.length < 16 || derived.length > 64)
      return 'pbkdf2-sha256 salt or hash is malformed';
    return undefined;
  }
  return 'unknown hash format: expected argon2id ($argon2id$…), bcrypt ($2a$/$2b$/$2y$…) or pbkdf2-sha256 ($pbkdf2-sha256$<iterations>$<salt>$<hash>)';
}

/** Verifies a password against a stored hash of any supported format. Malformed hashes never match. */
export async function verifyPasswordHash(hash: string, password: string): Promise<boolean> {
  try {
    switch (passwordHashFormat(hash)) {
      case 'argon2':
        return await argon2Verify(hash, password);
      case 'bcrypt':
        // bcryptjs is pure JavaScript but yields to the event loop between rounds (async compare). Loaded by the
        // first imported bcrypt hash, not at start-up.
        return await (await import('bcryptjs')).default.compare(password, hash);
      case 'pbkdf2-sha256':
        return await verifyPbkdf2Sha256(hash, password);
      default:
        return false;
    }
  } catch {
    return false;
  }
}

async function verifyPbkdf2Sha256(hash: string, password: string): Promise<boolean> {
  const [, iterations, salt, expected] = PBKDF2_SHA256.exec(hash) ?? [];
  if (!iterations || !salt || !expected) return false;
  const expectedBytes = adaptedBase64(expected);
  // node's pbkdf2 runs on the libuv thread pool, like argon2.
  const derived = await pbkdf2Async(password, adaptedBase64(salt), Number(iterations), expectedBytes.length, 'sha256');
  return derived.length === expectedBytes.length && timingSafeEqual(derived, expectedBytes);
}

/** passlib's "adapted base64" uses '.' for '+' and no padding; PHC's B64 is standard base64 without padding. */
function adaptedBase64(value: string): Buffer {
  return Buffer.from(value.replace(/\./g, '+'), 'base64');
}
