import { randomInt } from 'node:crypto';
import { constantTimeEqual, sha256 } from '../../infra/crypto/tokens';

/**
 * Crockford's base32 alphabet: 32 symbols (5 bits each) without I, L, O and U, so a code read off paper
 * cannot be mistyped into another valid code by confusing 1/l/i or 0/o.
 */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
/** 10 symbols × 5 bits = 50 bits of entropy per code, shown as `xxxx-xxxx-xx`. */
const CODE_LENGTH = 10;
export const DEFAULT_BACKUP_CODE_COUNT = 10;
export const MAX_BACKUP_CODE_COUNT = 20;

/** A fresh code, formatted for humans (`xxxx-xxxx-xx`). */
export function newBackupCode(): string {
  let raw = '';
  for (let i = 0; i < CODE_LENGTH; i++) raw += ALPHABET[randomInt(ALPHABET.length)];
  return `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8)}`;
}

/**
 * The canonical form of what a user typed: case, spaces and dashes ignored, and the letters Crockford's
 * alphabet leaves out read as the digits they look like. Undefined if it cannot be a code at all.
 */
export function normaliseBackupCode(input: string): string | undefined {
  const code = input.toLowerCase().replace(/[\s-]/g, '').replace(/[il]/g, '1').replace(/o/g, '0');
  return code.length === CODE_LENGTH && [...code].every((c) => ALPHABET.includes(c)) ? code : undefined;
}

/**
 * What we store for a code. SHA-256, not argon2: the codes are 50-bit uniformly random values, so a
 * leaked hash cannot be brute-forced offline in any useful time (2^50 SHA-256 per code, and each code
 * opens one login), while a slow hash would cost ~10 argon2 runs per login attempt (one per stored code).
 * This is the same reasoning as for client secrets and refresh tokens, whose entropy is higher still.
 */
export function hashBackupCode(normalised: string): string {
  return sha256(`backup-code:${normalised}`);
}

/**
 * Index of the stored hash that matches `candidateHash`, or -1. Every hash is compared in constant time
 * and the loop never stops early, so timing does not reveal which (or whether a) code matched.
 */
export function findMatchingHash(candidateHash: string, hashes: readonly string[]): number {
  let match = -1;
  hashes.forEach((hash, index) => {
    if (constantTimeEqual(candidateHash, hash) && match === -1) match = index;
  });
  return match;
}
