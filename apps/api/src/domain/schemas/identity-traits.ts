import { z } from 'zod';

// Traits are validated by the project's identity schema (identity-schema.ts), not here.

/** The normalised form under which a login identifier is stored and looked up: matched case-insensitively. */
export function normaliseIdentifier(identifier: string): string {
  return identifier.trim().toLowerCase();
}

/** Passwords: at least 8 characters (NIST SP 800-63B), at most 1024 so hashing cannot be abused. */
export const PasswordSchema = z
  .string()
  .min(8, 'must be at least 8 characters')
  .max(1024, 'must be at most 1024 characters');
export const MAX_PASSWORD_LENGTH = 1024;
