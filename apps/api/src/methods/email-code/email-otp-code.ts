import { createHash, randomInt, timingSafeEqual } from 'node:crypto';

/** A numeric code of `length` digits, each drawn uniformly with crypto.randomInt (no modulo bias). */
export function generateOtp(length: number): string {
  let code = '';
  for (let i = 0; i < length; i++) code += String(randomInt(10));
  return code;
}

/**
 * SHA-256, not a slow hash: a code lives minutes, is used once and every wrong guess counts toward the
 * lockout, so an attacker holding the hash could not outlive the code by brute-forcing it offline anyway.
 */
export function hashOtp(code: string): string {
  return createHash('sha256').update(code, 'utf8').digest('base64url');
}

/** Constant-time comparison of a submitted code with a stored hash (both hashed to equal length first). */
export function otpMatches(submitted: string, storedHash: string): boolean {
  const a = Buffer.from(hashOtp(submitted));
  const b = Buffer.from(storedHash);
  return a.length === b.length && timingSafeEqual(a, b);
}
