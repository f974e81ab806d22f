import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/**
 * One-time codes mailed to a user and typed back: registration, recovery and verification codes and the
 * email-OTP login code. One generator, one normalisation of what was typed, one stored encoding and one
 * check, so every flow accepts exactly the same input for the same code.
 */

/** Six digits: typed from an email on a phone; brute force is bounded by attempt limits, not by length. */
export const DEFAULT_CODE_LENGTH = 6;
/** Lifetime of a code mailed by a self-service flow (email OTP has its own per-project ttl). */
export const CODE_TTL_MS = 15 * 60 * 1000;
/** Wrong codes one self-service flow accepts before it dies (10^6 / 5: one chance in 200,000 to guess). */
export const MAX_CODE_ATTEMPTS = 5;
/** Longer codes would be typed wrong more often than they would be guessed; randomInt draws below 2^48 anyway. */
const MAX_CODE_LENGTH = 12;

/** The code state a flow keeps: only the hash of the code, never the code. */
export interface PendingCode {
  codeHash: string;
  expiresAt: number;
  attempts: number;
}

/** `length` decimal digits, each drawn uniformly with crypto.randomInt (no modulo bias). */
export function generateCode(length = DEFAULT_CODE_LENGTH): string {
  if (!Number.isInteger(length) || length < 1 || length > MAX_CODE_LENGTH)
    throw new RangeError(`code length must be 1..${MAX_CODE_LENGTH}, got ${length}`);
  let code = '';
  for (let i = 0; i < length; i++) code += String(randomInt(10));
  return code;
}

/**
 * What a typed code is compared as. NFKC first (full-width digits from an East Asian keyboard become ASCII
 * digits), then every whitespace and dash character is dropped, wherever it is: "123 456", "123-456" and
 * " 123456\n" pasted from a mail all mean 123456. Codes are digits only, so nothing that can be part of a
 * code is ever dropped. Input that is empty after this carries no guess at all: callers treat it as a
 * missing param, never as a wrong code.
 */
export function normaliseCode(input: string): string {
  return input.normalize('NFKC').replace(/[\s\p{Pd}\u2212]/gu, '');
}

/**
 * SHA-256 (hex) of the normalised code. Not a slow hash: a code lives minutes, is used once and every wrong
 * guess is counted, so a stolen hash could not be brute-forced offline before the code is gone anyway.
 */
export function hashCode(code: string): string {
  return sha256(normaliseCode(code)).toString('hex');
}

/** A hash no input matches: a flow that must not reveal whether a mail was sent still has a code to compare. */
export function unguessableCodeHash(): string {
  return randomBytes(32).toString('hex');
}

export type CodeCheck = 'valid' | 'invalid' | 'expired';

/**
 * Expiry first (an expired code never counts as valid), then a constant-time comparison of SHA-256 digests.
 * `codeHash` null: no code was issued (e.g. an unknown user), which every input fails like a wrong code.
 */
export function checkCode(
  pending: { codeHash: string | null; expiresAt: number },
  input: string,
  now = Date.now(),
): CodeCheck {
  if (now >= pending.expiresAt) return 'expired';
  const given = sha256(normaliseCode(input));
  const stored = pending.codeHash === null ? undefined : storedDigest(pending.codeHash);
  // Compared even without a stored digest, so the answer takes the same time either way.
  const matches = timingSafeEqual(given, stored ?? NO_DIGEST);
  return matches && stored !== undefined ? 'valid' : 'invalid';
}

const NO_DIGEST = Buffer.alloc(32);

/**
 * The 32-byte digest a stored hash encodes: hex, or base64url as the email-OTP step stored it before this
 * module (SHA-256 of the trimmed code, the same bytes). Reading both keeps codes mailed just before an
 * upgrade working; the base64url branch can go once no such state can be alive (emailOtp.ttlSeconds ≤ 1 h).
 */
function storedDigest(codeHash: string): Buffer | undefined {
  if (/^[0-9a-f]{64}$/.test(codeHash)) return Buffer.from(codeHash, 'hex');
  if (/^[A-Za-z0-9_-]{43}$/.test(codeHash)) return Buffer.from(codeHash, 'base64url');
  return undefined;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
