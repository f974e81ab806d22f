import { createHash, randomInt, timingSafeEqual } from 'node:crypto';

/** Six digits: typed from an email on a phone; brute force is bounded by MAX_CODE_ATTEMPTS, not by length. */
export const CODE_LENGTH = 6;
/** Default lifetime of an emailed code. */
export const CODE_TTL_MS = 15 * 60 * 1000;
/** Wrong codes one flow accepts before it dies (10^6 / 5: one chance in 200,000 to guess). */
export const MAX_CODE_ATTEMPTS = 5;

/** The code state kept in the flow: only the SHA-256 of the code, never the code. */
export interface PendingCode {
  codeHash: string;
  expiresAt: number;
  attempts: number;
}

export function generateCode(): string {
  return String(randomInt(0, 10 ** CODE_LENGTH)).padStart(CODE_LENGTH, '0');
}

/** A code that matches no input: a flow that must not reveal whether a mail was sent still has a code to compare. */
export function unguessableCodeHash(): string {
  return hashCode(`unusable:${randomInt(0, 2 ** 47)}:${Date.now()}`);
}

export function hashCode(code: string): string {
  return createHash('sha256').update(code.trim()).digest('hex');
}

export type CodeCheck = 'valid' | 'invalid' | 'expired';

/** Constant-time comparison of the hashes; expiry is checked first so an expired code never counts as valid. */
export function checkCode(pending: PendingCode, code: string, now = Date.now()): CodeCheck {
  if (now >= pending.expiresAt) return 'expired';
  const given = Buffer.from(hashCode(code), 'hex');
  const expected = Buffer.from(pending.codeHash, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected) ? 'valid' : 'invalid';
}
