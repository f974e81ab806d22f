import { createGuardrails, generateSecret, generateURI, verify } from 'otplib';

/**
 * RFC 6238 TOTP as authenticator apps use it (SHA-1, 6 digits, 30 s), through otplib. Pure functions:
 * the caller passes the clock and the last time step it accepted, so replay and skew are testable.
 */
export const TOTP_PERIOD_SECONDS = 30;
/** One step either side: phones and servers drift, and a code typed at the end of its window arrives late. */
const SKEW_STEPS = 1;

/**
 * otplib refuses secrets under 128 bits (RFC 4226's MUST). Secrets we generate are 160 bits, but
 * imported ones from older systems are often 80 (16 base32 characters), and refusing them would lock
 * those users out of migration; online guessing of an 80-bit key is still hopeless.
 */
const MIN_IMPORTED_SECRET_BYTES = 10;
const MAX_SECRET_BYTES = 64;
const guardrails = createGuardrails({ MIN_SECRET_BYTES: MIN_IMPORTED_SECRET_BYTES, MAX_SECRET_BYTES });

export type TotpCheck =
  { outcome: 'valid'; timeStep: number } | { outcome: 'invalid' } | { outcome: 'replayed'; timeStep: number };

/**
 * Checks a 6-digit code at `now`, allowing ±1 time step. A code whose step is at or before
 * `lastUsedStep` is a replay: once a code is accepted, it and every earlier one are spent.
 */
export async function checkTotp(
  secret: string,
  token: string,
  options: { now: Date; lastUsedStep?: number | undefined },
): Promise<TotpCheck> {
  if (!/^\d{6}$/.test(token)) return { outcome: 'invalid' };
  const epoch = Math.floor(options.now.getTime() / 1000);
  let result;
  try {
    result = await verify({ secret, token, epoch, epochTolerance: SKEW_STEPS * TOTP_PERIOD_SECONDS, guardrails });
  } catch {
    return { outcome: 'invalid' }; // a secret otplib cannot use never authenticates
  }
  // otplib's functional verify covers HOTP too; only a TOTP result carries the matched time step.
  if (!result.valid || !('timeStep' in result)) return { outcome: 'invalid' };
  if (options.lastUsedStep !== undefined && result.timeStep <= options.lastUsedStep)
    return { outcome: 'replayed', timeStep: result.timeStep };
  return { outcome: 'valid', timeStep: result.timeStep };
}

/**
 * The canonical form of a base32 secret (upper case, no spaces, dashes or padding), or undefined if it
 * is not base32 or not usable as a TOTP key.
 */
export function normaliseTotpSecret(input: string): string | undefined {
  const secret = input.replace(/[\s-]/g, '').replace(/=+$/, '').toUpperCase();
  if (!/^[A-Z2-7]+$/.test(secret)) return undefined;
  const bytes = Math.floor((secret.length * 5) / 8);
  if (bytes < MIN_IMPORTED_SECRET_BYTES || bytes > MAX_SECRET_BYTES) return undefined;
  // Lengths whose trailing bits cannot form a whole byte (1, 3 or 6 characters into a block) are not base32.
  if ([1, 3, 6].includes(secret.length % 8)) return undefined;
  return secret;
}

/** A fresh 160-bit secret (RFC 4226's recommended length), base32. */
export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

/** The otpauth:// URI authenticator apps read from a QR code. */
export function totpUri(secret: string, issuer: string, label: string): string {
  return generateURI({ issuer, label, secret, period: TOTP_PERIOD_SECONDS, digits: 6, algorithm: 'sha1' });
}
