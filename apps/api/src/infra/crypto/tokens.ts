import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** An opaque credential with 256 bits of entropy (codes, refresh tokens, client secrets). */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** What we store for opaque high-entropy credentials: their SHA-256, so a database leak reveals nothing usable. */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

/** Constant-time comparison of two strings of possibly different lengths (compares their digests). */
export function constantTimeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}
